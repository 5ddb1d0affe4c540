// `balance roundrobin`: smooth weighted round robin. Each pick adds every eligible server's
// weight to its running score, takes the highest score, and subtracts the total from it.
// Over any window of sum(weights) picks each server gets exactly its weight's share, and
// picks are spread out (weights 5,1,1 give a a b a c a a, not a a a a a b c). Weights are read
// on every pick, so a run-time weight change takes effect at once (dynamic weights).
import type { SessionContext } from '../../model/session.js';
import type { Balancer } from './balancer.js';
import type { Eligible, RuntimeServer } from '../runtime-server.js';

export class RoundRobinBalancer implements Balancer {
  private readonly scores: Float64Array;

  constructor(private readonly servers: readonly RuntimeServer[]) {
    this.scores = new Float64Array(servers.length);
  }

  pick(_ctx: SessionContext, eligible: Eligible): RuntimeServer | undefined {
    let total = 0;
    let best = -1;
    const servers = this.servers;
    const scores = this.scores;
    for (let i = 0; i < servers.length; i++) {
      const s = servers[i];
      // Weight 0 means "never chosen by the balancer" (HAProxy semantics).
      if (s === undefined || s.weight <= 0 || !eligible(s)) continue;
      scores[i] = (scores[i] as number) + s.weight;
      total += s.weight;
      if (best < 0 || (scores[i] as number) > (scores[best] as number)) best = i;
    }
    if (best < 0) return undefined;
    scores[best] = (scores[best] as number) - total;
    return servers[best];
  }
}
