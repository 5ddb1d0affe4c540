// The compiled forms the expression engine hands to the configuration loader and, through
// the frozen model, to the data path. Everything is a closure built once at load time.
import type { SessionContext, Phase } from '../model/session.js';
import type { Sample, SampleType } from './types.js';

export interface CompiledExpression {
  /** Text as written, for logs and diagnostics. */
  readonly source: string;
  readonly outputType: SampleType;
  /** The earliest phase where every fetch of the expression has its data. */
  readonly earliestPhase: Phase;
  /** First value (non-ACL contexts: set-var, %[…]); undefined when the sample is missing. */
  evaluate: (ctx: SessionContext) => Sample | undefined;
}

/** A condition (`if …` / `unless …`), already bound to its ACLs. */
export interface CompiledCondition {
  readonly source: string;
  readonly earliestPhase: Phase;
  test: (ctx: SessionContext) => boolean;
}

/** A log-format string (log-format, unique-id-format, set-proxy-v2-tlv-fmt values). */
export interface CompiledLogFormat {
  readonly source: string;
  readonly earliestPhase: Phase;
  /** Bytes, so binary samples (TLV values with NULs) are forwarded intact. */
  render: (ctx: SessionContext) => Buffer;
}

export type RuleVerdict = 'continue' | 'accept' | 'reject';

/** One `tcp-request connection|session|content …` rule with its condition. */
export interface CompiledTcpRule {
  readonly source: string;
  readonly phase: 'connection' | 'session' | 'content';
  /** True for `tcp-request connection expect-proxy layer4`: the data path then reads a header. */
  readonly expectsProxy: boolean;
  /** Its condition reads the client's bytes (req.ssl_sni …): it may wait for them. */
  readonly inspectsContent: boolean;
  /**
   * Runs the condition and the action. `expect-proxy` returns 'continue' after setting
   * nothing: the data path looks at `expectsProxy` of the rules that matched (see matched).
   */
  run(ctx: SessionContext): { verdict: RuleVerdict; matched: boolean };
}
