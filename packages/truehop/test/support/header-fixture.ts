// Real PROXY headers for tests and benchmarks: built with the codec's encoder and read back
// with its decoder, so what the engine sees is exactly what the data path would hand it.
import { decode, encode } from '@truehop/proxy-protocol';
import type { EncodeInput, ProxyHeader } from '@truehop/proxy-protocol';

export function decodedHeader(input: EncodeInput): ProxyHeader {
  const result = decode(encode(input));
  if (result.status !== 'complete') throw new Error(`fixture header did not decode: ${result.status}`);
  return result.header;
}

/** A v2 TCP4 PROXY header 192.0.2.1:51000 → 198.51.100.2:443 with the given TLVs. */
export function v2Header(tlvs: EncodeInput['tlvs'] = []): ProxyHeader {
  return decodedHeader({ version: 2, src: '192.0.2.1', srcPort: 51000, dst: '198.51.100.2', dstPort: 443, tlvs });
}
