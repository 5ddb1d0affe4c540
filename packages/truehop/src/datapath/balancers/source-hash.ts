// `balance source`: a hash of the client address picks the server, so one client keeps
// landing on the same server while the set of usable servers is unchanged. The address is
// the *advertised* one when the client came through a PROXY header (§4.1: the advertised
// address replaces the client address everywhere), otherwise the real peer. Map-based like
// HAProxy's default `hash-type map-based`: hash modulo the total weight of usable servers.
import type { SessionContext } from '../../model/session.js';
import type { Balancer } from './balancer.js';
import type { Eligible, RuntimeServer } from '../runtime-server.js';

/** FNV-1a over the address text: stable across restarts and processes. */
export function hashAddress(address: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < address.length; i++) {
    h ^= address.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class SourceHashBalancer implements Balancer {
  constructor(private readonly servers: readonly RuntimeServer[]) {}

  pick(ctx: SessionContext, eligible: Eligible): RuntimeServer | undefined {
    let total = 0;
    for (const s of this.servers) if (s.weight > 0 && eligible(s)) total += s.weight;
    if (total === 0) return undefined;
    const address = (ctx.client ?? ctx.realClient).address;
    let slot = hashAddress(address) % total;
    for (const s of this.servers) {
      if (s.weight <= 0 || !eligible(s)) continue;
      if (slot < s.weight) return s;
      slot -= s.weight;
    }
    return undefined;
  }
}
