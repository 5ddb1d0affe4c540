// The PROXY v2 header the floor proxies (floor-forward.ts, raw-floor.ts) send: the accepted
// connection's own two ends, no TLVs — what truehop sends for `send-proxy-v2` without options.
import { encode } from '@truehop/proxy-protocol';

interface Ends {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
}

/** Null when the connection has lost its addresses (reset before we got here). */
export function floorHeader(c: Ends): Buffer | null {
  if (c.remoteAddress === undefined || c.localAddress === undefined) return null;
  return encode({
    version: 2,
    src: c.remoteAddress,
    srcPort: c.remotePort as number,
    dst: c.localAddress,
    dstPort: c.localPort as number,
  });
}
