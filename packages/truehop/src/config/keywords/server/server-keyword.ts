// The shape of one server option descriptor, apart from the registry (server-keywords.ts) so
// option families in their own files (server-tls-keywords.ts) can declare descriptors too.
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { Word } from '../../../text/source.js';
import type { ServerDraft } from '../../draft.js';
import type { OptionKeywordDoc } from '../keyword.js';

export interface ServerKeyword extends OptionKeywordDoc {
  apply(server: ServerDraft, args: readonly Word[], kw: Word, sink: DiagnosticSink): void;
}

/** An option without argument. */
export function flag(name: string, summary: string, apply: (s: ServerDraft, kw: Word) => void): ServerKeyword {
  return { name, syntax: '', summary, status: 'supported', args: 0, apply: (s, _a, kw) => apply(s, kw) };
}

export function missing(kw: Word, syntax: string, sink: DiagnosticSink): void {
  sink.alert(kw.pos, 'MISSING_ARGUMENT', `'${kw.text}' expects ${syntax} as an argument`);
}

/** An option with one argument; a missing argument is an alert, else `apply` reads it. */
export function valueOption(
  name: string,
  syntax: string,
  summary: string,
  apply: (s: ServerDraft, v: Word, kw: Word, sink: DiagnosticSink) => void,
): ServerKeyword {
  return {
    name,
    syntax,
    summary,
    status: 'supported',
    args: 1,
    apply(s, args, kw, sink) {
      const v = args[0];
      if (!v) return missing(kw, syntax, sink);
      apply(s, v, kw, sink);
    },
  };
}
