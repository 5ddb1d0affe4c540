// The shape of one server option descriptor, apart from the registry (server-keywords.ts) so
// option families in their own files (server-tls-keywords.ts) can declare descriptors too.
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { Word } from '../../../text/source.js';
import type { ServerDraft } from '../../draft.js';
import type { OptionKeywordDoc } from '../keyword.js';

export interface ServerKeyword extends OptionKeywordDoc {
  apply(server: ServerDraft, args: readonly Word[], kw: Word, sink: DiagnosticSink): void;
}
