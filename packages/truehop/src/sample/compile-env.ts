// What the expression engine needs from the configuration loader while compiling one
// expression: where to report problems, which ACLs the current proxy has declared so far,
// where the expression runs (to reject fetches whose data does not exist yet there), and a
// file reader for `-f <file>` patterns (config reads files; the data path never does).
import type { DiagnosticSink } from '../text/diagnostics.js';
import type { SourcePos } from '../text/source.js';
import type { Phase, SessionContext } from '../model/session.js';
import type { CompiledCondition } from './compiled.js';

/** A named ACL (`acl <name> …`) of one proxy; several lines with one name are OR-ed. */
export interface NamedAcl {
  readonly name: string;
  readonly pos: SourcePos;
  readonly earliestPhase: Phase;
  test: (ctx: SessionContext) => boolean;
}

export interface CompileEnv {
  readonly diagnostics: DiagnosticSink;
  /** Name of the proxy (frontend/backend/listen) being compiled, for messages. */
  readonly proxyName: string;
  /** Where the expression will run; fetches that need later data are alerts. */
  readonly phase: Phase;
  /** ACLs declared so far in this proxy (HAProxy resolves names at parse time). */
  lookupAcl(name: string): NamedAcl | undefined;
  /**
   * Optional: true for an ACL declared so far whose line failed to compile (already reported
   * there). A condition using it fails without a second alert: "no such ACL" would be false.
   */
  isFailedAcl?(name: string): boolean;
  /** Optional: names of the ACLs declared so far, for "did you mean" on an unknown ACL. */
  aclNames?(): Iterable<string>;
  /** Reads a pattern file for `-f`, relative to the config file; undefined when unreadable (already reported). */
  readPatternFile(path: string, pos: SourcePos): string | undefined;
}

export type { CompiledCondition };
