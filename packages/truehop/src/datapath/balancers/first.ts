// `balance first`: the first server in declaration order that has a free slot. Meant for
// packing sessions onto as few servers as possible; useful only with server `maxconn`.
import type { SessionContext } from '../../model/session.js';
import type { Balancer } from './balancer.js';
import type { Eligible, RuntimeServer } from '../runtime-server.js';

export class FirstBalancer implements Balancer {
  constructor(private readonly servers: readonly RuntimeServer[]) {}

  pick(_ctx: SessionContext, eligible: Eligible): RuntimeServer | undefined {
    for (const s of this.servers) if (s.weight > 0 && eligible(s)) return s;
    return undefined;
  }
}
