// `balance leastconn`: the eligible server with the fewest current connections relative to
// its weight; ties rotate (HAProxy puts the chosen server at the back of its tree), so equal
// servers share new sessions instead of the first one taking them all.
import type { SessionContext } from '../../model/session.js';
import type { Balancer } from './balancer.js';
import type { Eligible, RuntimeServer } from '../runtime-server.js';

export class LeastConnBalancer implements Balancer {
  private start = 0;

  constructor(private readonly servers: readonly RuntimeServer[]) {}

  pick(_ctx: SessionContext, eligible: Eligible): RuntimeServer | undefined {
    const n = this.servers.length;
    let best: RuntimeServer | undefined;
    let bestLoad = Infinity;
    for (let k = 0; k < n; k++) {
      const s = this.servers[(this.start + k) % n];
      if (s === undefined || s.weight <= 0 || !eligible(s)) continue;
      const load = (s.active + 1) / s.weight;
      if (load < bestLoad) {
        bestLoad = load;
        best = s;
      }
    }
    if (best !== undefined) this.start = (best.index + 1) % n;
    return best;
  }
}
