// The soak's little protocol between a client and a backend, through the load balancer.
// Every transfer carries bytes of one deterministic pool, so the client knows exactly what it
// should receive and checks it with sha256 end to end, without the backend telling it.
//
//   request (client → backend, REQUEST_BYTES): 'SOAK' u32 id, u8 kind, u32 offset, u32 size
//   download: the backend sends pool[offset, offset+size) and closes.
//   echo:     the client then sends pool[offset, offset+size); the backend echoes every byte
//             and closes after `size` of them (the backend always closes first, so TIME_WAIT
//             never piles up on the client's ephemeral ports over a million connections).
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';

export const MAGIC = 0x534f414b; // 'SOAK'
export const REQUEST_BYTES = 17;
export const KIND_DOWNLOAD = 1;
export const KIND_ECHO = 2;

/** 4 MiB of pseudo-random bytes (xorshift32 from a fixed seed): the same in every process. */
export const POOL_BYTES = 4 * 1024 * 1024;
export const POOL: Buffer = (() => {
  const b = Buffer.allocUnsafe(POOL_BYTES);
  let x = 0x9e3779b9;
  for (let i = 0; i < POOL_BYTES; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i);
  }
  return b;
})();

export interface Request {
  id: number;
  kind: number;
  offset: number;
  size: number;
}

export function encodeRequest(r: Request): Buffer {
  const b = Buffer.allocUnsafe(REQUEST_BYTES);
  b.writeUInt32BE(MAGIC, 0);
  b.writeUInt32BE(r.id >>> 0, 4);
  b.writeUInt8(r.kind, 8);
  b.writeUInt32BE(r.offset, 9);
  b.writeUInt32BE(r.size, 13);
  return b;
}

/** The request at the start of `b`, or undefined when `b` is not one. */
export function decodeRequest(b: Buffer): Request | undefined {
  if (b.length < REQUEST_BYTES || b.readUInt32BE(0) !== MAGIC) return undefined;
  const r = { id: b.readUInt32BE(4), kind: b.readUInt8(8), offset: b.readUInt32BE(9), size: b.readUInt32BE(13) };
  if (r.offset + r.size > POOL_BYTES || (r.kind !== KIND_DOWNLOAD && r.kind !== KIND_ECHO)) return undefined;
  return r;
}

export function payload(r: Pick<Request, 'offset' | 'size'>): Buffer {
  return POOL.subarray(r.offset, r.offset + r.size);
}

export function digest(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
