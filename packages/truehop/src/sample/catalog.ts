// The fetch and converter registries described for generated documentation
// (docs/config-keywords.md): the same descriptors the compiler uses (STYLE.md 6).
import { allConverters, allFetches } from './keyword.js';
import { LOG_ALIASES } from './log-format.js';
import './keywords.js';

export interface SampleKeywordDoc {
  kind: 'fetch' | 'converter';
  name: string;
  /** e.g. `fc_pp_tlv(<id|name>)`, `bytes(<offset>[,<length>])`. */
  syntax: string;
  input: string | null;
  output: string;
  summary: string;
}

export function describeSampleKeywords(): SampleKeywordDoc[] {
  const out: SampleKeywordDoc[] = [];
  for (const f of allFetches()) {
    const notes: string[] = [];
    if (f.earliestPhase === 'http-request') notes.push('http-request rules of mode http service frontends');
    else if (f.earliestPhase !== 'connection') notes.push(`from tcp-request ${f.earliestPhase === 'backend' ? 'backend' : f.earliestPhase} on`);
    if (f.multiValued === true) notes.push('multi-valued in ACLs');
    if (f.truehopOnly === true) notes.push('truehop extension');
    out.push({
      kind: 'fetch',
      name: f.name,
      syntax: f.syntax,
      input: null,
      output: f.output,
      summary: notes.length > 0 ? `${f.summary} (${notes.join('; ')})` : f.summary,
    });
  }
  for (const c of allConverters()) {
    out.push({ kind: 'converter', name: c.name, syntax: c.syntax, input: c.input, output: c.output, summary: c.summary });
  }
  return out.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'fetch' ? -1 : 1));
}

/** Log-format aliases, for the same docs. */
export function describeLogAliases(): { alias: string; summary: string }[] {
  return Object.entries(LOG_ALIASES).map(([name, a]) => ({ alias: `%${name}`, summary: a.summary }));
}
