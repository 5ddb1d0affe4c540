// Positions and words of the configuration text, shared by the parser, the expression
// engine and every diagnostic. Columns and lines are 1-based, as editors show them.

export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** One configuration word after quote removal, escapes and `${VAR}` expansion. */
export interface Word {
  text: string;
  pos: SourcePos;
  /** True when any part of the word was quoted (HAProxy treats `"if"` as text, not a keyword). */
  quoted: boolean;
}
