// The descriptor every keyword of the `global` section implements (global-keywords.ts and the
// files of keyword families such as stats-socket.ts).
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { Word } from '../../../text/source.js';
import type { KeywordDoc } from '../keyword.js';
import type { GlobalDraft } from '../../draft.js';

export interface GlobalKeyword extends KeywordDoc {
  apply(global: GlobalDraft, args: readonly Word[], kw: Word, sink: DiagnosticSink): void;
}
