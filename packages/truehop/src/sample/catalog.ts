// CONTRACT STUB — the expression-engine helper replaces the body: the fetch and converter
// registries described for generated documentation (docs/config-keywords.md).
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
  return [];
}
