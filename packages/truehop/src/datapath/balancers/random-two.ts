// `balance random` (HAProxy's default `random(2)`): draw two servers at random, weighted,
// and keep the less loaded one ("power of two choices"): nearly as even as leastconn with
// no shared ordering, and immune to the herd effect of always picking the global minimum.
import type { SessionContext } from '../../model/session.js';
import type { Balancer } from './balancer.js';
import type { Eligible, RuntimeServer } from '../runtime-server.js';

export class RandomTwoBalancer implements Balancer {
  constructor(
    private readonly servers: readonly RuntimeServer[],
    private readonly random: () => number,
  ) {}

  private draw(total: number, eligible: Eligible): RuntimeServer | undefined {
    let at = this.random() * total;
    for (const s of this.servers) {
      if (s.weight <= 0 || !eligible(s)) continue;
      if (at < s.weight) return s;
      at -= s.weight;
    }
    return undefined;
  }

  pick(_ctx: SessionContext, eligible: Eligible): RuntimeServer | undefined {
    let total = 0;
    let last: RuntimeServer | undefined;
    for (const s of this.servers) {
      if (s.weight > 0 && eligible(s)) {
        total += s.weight;
        last = s;
      }
    }
    if (total === 0) return undefined;
    const a = this.draw(total, eligible) ?? last;
    const b = this.draw(total, eligible) ?? last;
    if (a === undefined || b === undefined) return a ?? b;
    return a.active / a.weight <= b.active / b.weight ? a : b;
  }
}
