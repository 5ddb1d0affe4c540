// The shape of a keyword descriptor (STYLE.md example 6). Each keyword is described in the
// file that implements it; the parser dispatches through these tables, the validator reads
// their status, and docs/config-keywords.md is generated from them, so the three can never
// disagree about what truehop accepts.
import type { Word } from '../../text/source.js';

export type SectionKind = 'global' | 'defaults' | 'frontend' | 'backend' | 'listen';
export type ProxySectionKind = Exclude<SectionKind, 'global'>;

/**
 * supported: parsed and applied by the daemon.
 * parsed-not-applied: accepted with a warning (PARSED_NOT_APPLIED), e.g. `daemon`, `user`.
 * not-yet-supported: a real HAProxy keyword truehop does not implement yet: an alert naming
 *   it (NOT_SUPPORTED_YET), never silently ignored and never "unknown keyword".
 */
export type KeywordStatus = 'supported' | 'parsed-not-applied' | 'not-yet-supported';

export interface KeywordDoc {
  /** HAProxy's spelling; multi-word keywords are space-separated (`timeout client`). */
  readonly name: string;
  /** Arguments after the keyword, HAProxy manual notation (`<time>`, `[<level>]`). */
  readonly syntax: string;
  readonly summary: string;
  readonly status: KeywordStatus;
}

/** Word arguments a bind/server option consumes after its own word. */
export interface OptionKeywordDoc extends KeywordDoc {
  readonly args: number;
}

export const ALL_PROXY_SECTIONS: readonly ProxySectionKind[] = ['defaults', 'frontend', 'listen', 'backend'];
export const FRONTEND_SECTIONS: readonly ProxySectionKind[] = ['defaults', 'frontend', 'listen'];
export const BACKEND_SECTIONS: readonly ProxySectionKind[] = ['defaults', 'listen', 'backend'];

/** A descriptor for a keyword that truehop recognises but does not implement yet. */
export function notYetSupported(name: string, args: number, summary: string): OptionKeywordDoc {
  return { name, syntax: args === 0 ? '' : Array.from({ length: args }, () => '<arg>').join(' '), summary, status: 'not-yet-supported', args };
}

/** Text of a word list, for messages. */
export function wordsText(words: readonly Word[]): string {
  return words.map((w) => w.text).join(' ');
}

/** A descriptor found for a config line, and how many of its leading words name it. */
export interface KeywordMatch<K> {
  readonly desc: K;
  readonly used: 1 | 2;
}

/**
 * Looks up the keyword a line starts with: the two-word name first (`timeout client`,
 * `stats socket`), then the one-word name, as HAProxy's section parsers do.
 */
export function lookupKeyword<K>(byName: ReadonlyMap<string, K>, words: readonly Word[]): KeywordMatch<K> | undefined {
  const w0 = words[0];
  if (!w0) return undefined;
  const w1 = words[1];
  if (w1) {
    const two = byName.get(`${w0.text} ${w1.text}`);
    if (two) return { desc: two, used: 2 };
  }
  const one = byName.get(w0.text);
  return one ? { desc: one, used: 1 } : undefined;
}
