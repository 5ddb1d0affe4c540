// Address converters (HAProxy src/sample.c sample_conv_ipmask).
import { formatIPv4, formatIPv6, ipv4Mask, ipv4MaskBits, maskIPv6, parseIPv4, parseIPv6 } from '../ip-address.js';
import { registerConverters } from '../keyword.js';

/** `24` or `255.255.255.0` (contiguous) → prefix length. */
function v4Bits(text: string): number | undefined {
  if (/^\d{1,2}$/.test(text)) {
    const n = Number(text);
    return n <= 32 ? n : undefined;
  }
  const m = parseIPv4(text);
  return m === undefined ? undefined : ipv4MaskBits(m);
}

/** `64` or `ffff:ffff:ffff:ffff::` (contiguous) → prefix length. */
function v6Bits(text: string): number | undefined {
  if (/^\d{1,3}$/.test(text)) {
    const n = Number(text);
    return n <= 128 ? n : undefined;
  }
  const m = parseIPv6(text);
  if (m === undefined) return undefined;
  let bits = 0;
  while (bits < 128 && ((m[bits >> 3] as number) & (0x80 >> (bits & 7))) !== 0) bits++;
  for (let b = bits; b < 128; b++) if (((m[b >> 3] as number) & (0x80 >> (b & 7))) !== 0) return undefined;
  return bits;
}

registerConverters([
  {
    name: 'ipmask', syntax: 'ipmask(<mask4>[,<mask6>])', input: 'addr', output: 'addr',
    args: [{ name: 'mask4', kind: 'str' }, { name: 'mask6', kind: 'str', optional: true }],
    summary: 'keeps the network part of an address: <mask4> as 24 or 255.255.255.0, <mask6> as 64 or ffff:ffff::; IPv6 input fails without <mask6>',
    compile(args, site) {
      const b4 = v4Bits(args[0]?.text ?? '');
      if (b4 === undefined) {
        site.error(`'${args[0]?.text ?? ''}' is not an IPv4 mask (24 or 255.255.255.0)`);
        return undefined;
      }
      const has6 = args[1] !== undefined && args[1].kind !== 'none';
      const b6 = has6 ? v6Bits(args[1]?.text ?? '') : undefined;
      if (has6 && b6 === undefined) {
        site.error(`'${args[1]?.text ?? ''}' is not an IPv6 mask (64 or ffff:ffff::)`);
        return undefined;
      }
      const mask4 = ipv4Mask(b4);
      return (sample) => {
        if (sample.type === 'ipv4') {
          const v = parseIPv4(sample.value);
          return v === undefined ? undefined : { type: 'ipv4', value: formatIPv4((v & mask4) >>> 0) };
        }
        if (sample.type === 'ipv6' && b6 !== undefined) {
          const v = parseIPv6(sample.value);
          return v === undefined ? undefined : { type: 'ipv6', value: formatIPv6(maskIPv6(v, b6)) };
        }
        return undefined;
      };
    },
  },
]);
