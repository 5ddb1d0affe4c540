// `balance static-rr`: weighted rotation in declaration order (a server with weight 3 gets
// three sessions in a row, then the next server). Cheaper than smooth round robin and
// independent of the number of servers; weights are read on every pick.
import type { SessionContext } from '../../model/session.js';
import type { Balancer } from './balancer.js';
import type { Eligible, RuntimeServer } from '../runtime-server.js';

export class StaticRoundRobinBalancer implements Balancer {
  private cursor = 0;
  private servedAtCursor = 0;

  constructor(private readonly servers: readonly RuntimeServer[]) {}

  pick(_ctx: SessionContext, eligible: Eligible): RuntimeServer | undefined {
    const n = this.servers.length;
    // At most one full turn plus the current server: bounded whatever the states are.
    for (let step = 0; step <= n; step++) {
      const s = this.servers[this.cursor];
      if (s !== undefined && s.weight > 0 && this.servedAtCursor < s.weight && eligible(s)) {
        this.servedAtCursor++;
        return s;
      }
      this.cursor = (this.cursor + 1) % n;
      this.servedAtCursor = 0;
    }
    return undefined;
  }
}
