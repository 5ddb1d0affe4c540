// What every balancing algorithm implements (STYLE.md example 9: choosing a server is separate
// from reaching it). Declared here, beside the algorithms, so they never import the factory
// that builds them (balancer.ts).
import type { SessionContext } from '../../model/session.js';
import type { Eligible, RuntimeServer } from '../runtime-server.js';

export interface Balancer {
  /** The server for this session among those `eligible` accepts, or undefined. */
  pick(ctx: SessionContext, eligible: Eligible): RuntimeServer | undefined;
}
