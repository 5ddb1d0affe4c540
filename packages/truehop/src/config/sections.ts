// Groups configuration lines into sections (HAProxy manual §2.1, §4): a section starts with
// its keyword and runs to the next section keyword. `defaults [<name>] [from <defaults>]`,
// `frontend|backend|listen <name> [from <defaults>]`, `global`. Sections truehop does not
// support yet (peers, resolvers, userlist, …) are reported once, at their header, and their
// content is skipped.
import type { DiagnosticSink } from '../text/diagnostics.js';
import type { SourcePos, Word } from '../text/source.js';
import type { SectionKind } from './keywords/keyword.js';
import type { ConfigLine } from './tokenize.js';
import { closestName, suggestion } from '../text/did-you-mean.js';

export interface ParsedSection {
  kind: SectionKind;
  /** '' for global and unnamed defaults. */
  name: string;
  nameWord: Word | undefined;
  /** `from <defaults>` */
  from: Word | undefined;
  pos: SourcePos;
  lines: ConfigLine[];
}

export const SECTION_KEYWORDS: readonly SectionKind[] = ['global', 'defaults', 'frontend', 'backend', 'listen'];
export const UNSUPPORTED_SECTIONS = [
  'peers', 'resolvers', 'userlist', 'mailers', 'program', 'http-errors', 'ring', 'cache', 'log-forward',
  'crt-store', 'traces', 'acme', 'fcgi-app', 'dynamic-update', 'namespace_list',
];
/** HAProxy's invalid_char(): proxy names use letters, digits, '-', '_', '.', ':'. */
const NAME_CHARS = /^[A-Za-z0-9_.:-]+$/;

/**
 * `isKeyword(word)` tells whether a word starts a line of some section; a word that does not,
 * and is close to a section keyword (`fronted fe`), is a misspelt section header: it is
 * reported once and the lines under it are skipped, instead of being reported one by one as
 * unknown keywords of the previous section.
 */
export function splitSections(lines: readonly ConfigLine[], sink: DiagnosticSink, isKeyword: (word: string) => boolean = () => true): ParsedSection[] {
  const sections: ParsedSection[] = [];
  let current: ParsedSection | undefined;
  let skipping = false;
  let reportedOutside = false;
  for (const line of lines) {
    const first = line.words[0] as Word;
    const kw = first.text;
    if ((SECTION_KEYWORDS as readonly string[]).includes(kw) && !first.quoted) {
      current = header(kw as SectionKind, line.words, sink);
      skipping = current === undefined;
      if (current) sections.push(current);
      continue;
    }
    if (UNSUPPORTED_SECTIONS.includes(kw) && !first.quoted) {
      sink.alert(first.pos, 'NOT_SUPPORTED_YET', `'${kw}' sections are not supported by truehop yet; the section is skipped`);
      current = undefined;
      skipping = true;
      continue;
    }
    if (!first.quoted && !isKeyword(kw)) {
      const section = closestName(kw, SECTION_KEYWORDS);
      if (section !== undefined) {
        sink.alert(first.pos, 'UNKNOWN_KEYWORD', `unknown keyword '${kw}' (did you mean '${section}'?); the lines that follow are skipped up to the next section`);
        current = undefined;
        skipping = true;
        continue;
      }
    }
    if (skipping) continue;
    if (!current) {
      if (!reportedOutside) {
        sink.alert(first.pos, 'OUTSIDE_SECTION', `'${kw}' appears before any section${suggestion(kw, SECTION_KEYWORDS)}; start with global, defaults, frontend, backend or listen`);
        reportedOutside = true;
      }
      continue;
    }
    current.lines.push(line);
  }
  return sections;
}

function header(kind: SectionKind, words: readonly Word[], sink: DiagnosticSink): ParsedSection | undefined {
  const kw = words[0] as Word;
  const base = { kind, pos: kw.pos, lines: [] as ConfigLine[] };
  if (kind === 'global') {
    const extra = words[1];
    if (extra) sink.alert(extra.pos, 'EXTRA_ARGUMENT', `'global' takes no argument, got '${extra.text}'`);
    return { ...base, name: '', nameWord: undefined, from: undefined };
  }
  let i = 1;
  let nameWord: Word | undefined;
  const w1 = words[1];
  if (w1 && !(w1.text === 'from' && !w1.quoted && kind === 'defaults')) {
    nameWord = w1;
    i = 2;
  }
  if (!nameWord && kind !== 'defaults') {
    sink.alert(kw.pos, 'MISSING_NAME', `'${kind}' expects a name`);
    return undefined;
  }
  if (nameWord && !NAME_CHARS.test(nameWord.text)) {
    sink.alert(nameWord.pos, 'BAD_NAME', `invalid ${kind} name '${nameWord.text}' (letters, digits, '-', '_', '.', ':')`);
    return undefined;
  }
  let from: Word | undefined;
  const w = words[i];
  if (w) {
    if (w.text !== 'from') {
      sink.alert(w.pos, 'EXTRA_ARGUMENT', `unexpected '${w.text}' after the ${kind} name (expected 'from <defaults>')`);
      return undefined;
    }
    from = words[i + 1];
    if (!from) {
      sink.alert(w.pos, 'MISSING_ARGUMENT', "'from' expects the name of a defaults section");
      return undefined;
    }
    const extra = words[i + 2];
    if (extra) {
      sink.alert(extra.pos, 'EXTRA_ARGUMENT', `unexpected '${extra.text}' after 'from ${from.text}'`);
      return undefined;
    }
  }
  return { ...base, name: nameWord?.text ?? '', nameWord, from };
}
