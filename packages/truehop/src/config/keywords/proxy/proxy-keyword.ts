// The descriptor of a keyword of `defaults`, `frontend`, `backend` and `listen` sections
// (HAProxy manual §4, src/cfgparse-listen.c, src/proxy.c), the context its handler gets, and
// the argument helpers every proxy keyword file shares. Each descriptor says in which sections
// it is allowed; the dispatcher (dispatch.ts) checks that, so handlers only parse their arguments.
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { Word } from '../../../text/source.js';
import type { KeywordDoc, ProxySectionKind } from '../keyword.js';
import type { ProxyDraft } from '../../draft.js';
import type { LoadContext } from '../../load-context.js';

export interface ProxyLineContext {
  readonly load: LoadContext;
  readonly proxy: ProxyDraft;
  readonly sink: DiagnosticSink;
}

export interface ProxyKeyword extends KeywordDoc {
  readonly sections: readonly ProxySectionKind[];
  /**
   * Used in a frontend/backend that lacks the capability: HAProxy warns and ignores most
   * keywords ('warning'); truehop makes it an alert where the config could never work as
   * written (a bind in a backend, a default_backend in a backend, a server in a frontend).
   */
  readonly misplaced: 'alert' | 'warning';
  /** `no <keyword>` is accepted. */
  readonly negatable?: boolean;
  apply(ctx: ProxyLineContext, args: readonly Word[], kw: Word, negated: boolean): void;
}

/** Multi-word keyword families: an unknown second word is reported against the family. */
export const PROXY_KEYWORD_FAMILIES = ['timeout', 'option'] as const;

/** Proxy, server and ACL names: HAProxy's invalid_char() allows letters, digits, '-', '_', '.', ':'. */
export const NAME_CHARS = /^[A-Za-z0-9_.:-]+$/;

/** Reports the first argument beyond `n`; true when there is one. */
export function tooMany(args: readonly Word[], n: number, kw: Word, sink: DiagnosticSink): boolean {
  const extra = args[n];
  if (extra) {
    sink.alert(extra.pos, 'EXTRA_ARGUMENT', `'${kw.text}' cannot handle unexpected argument '${extra.text}'`);
    return true;
  }
  return false;
}


/** The first argument, or an alert naming what the keyword expects. */
export function need(args: readonly Word[], kw: Word, syntax: string, sink: DiagnosticSink): Word | undefined {
  const v = args[0];
  if (!v) sink.alert(kw.pos, 'MISSING_ARGUMENT', `'${kw.text}' expects ${syntax} as an argument`);
  return v;
}

