// The TLV type argument of fc_pp_tlv(<id|name>) (§4.11): a case-insensitive name or a number
// as C strtoul(…, 0) reads it (0xEE, 238, 0356), 0–255.
import { strtoul } from '../../text/integer.js';
export const TLV_TYPE_NAMES: Readonly<Record<string, number>> = {
  ALPN: 0x01,
  AUTHORITY: 0x02,
  // HAProxy's manual says CRC32 but only CRC32C parses (§4.11 [OBS]); we accept what HAProxy accepts.
  CRC32C: 0x03,
  NOOP: 0x04,
  UNIQUE_ID: 0x05,
  SSL: 0x20,
  // These name TOP-LEVEL TLVs 0x21–0x25, which a conforming sender nests inside SSL (0x20) instead:
  // HAProxy-compatible, they match only if a sender put them at top level (§4.11). The typed
  // fc_pp_ssl_* fetches read the nested ones.
  SSL_VERSION: 0x21,
  SSL_CN: 0x22,
  SSL_CIPHER: 0x23,
  SSL_SIG_ALG: 0x24,
  SSL_KEY_ALG: 0x25,
  NETNS: 0x30,
};

/**
 * strtoul(text, &end, 0) that must consume the whole text; undefined otherwise. The same C
 * semantics as the config's set-proxy-v2-tlv-fmt(<id>), from the one implementation.
 */
export function parseCNumber(text: string): number | undefined {
  const r = strtoul(text);
  return r.end === text.length && r.end > 0 ? r.value : undefined;
}

export type TlvTypeResult = { ok: true; type: number } | { ok: false; message: string };

export function parseTlvType(text: string): TlvTypeResult {
  const named = TLV_TYPE_NAMES[text.toUpperCase()];
  if (named !== undefined) return { ok: true, type: named };
  const n = parseCNumber(text);
  if (n !== undefined && n <= 255) return { ok: true, type: n };
  if (text.toUpperCase() === 'CRC32') {
    return { ok: false, message: "unknown TLV name 'CRC32': the CRC TLV is named 'CRC32C' (HAProxy's manual says CRC32, but HAProxy refuses it too)" };
  }
  if (n !== undefined) return { ok: false, message: `TLV type ${text} is out of range 0-255` };
  return {
    ok: false,
    message: `'${text}' is not a TLV type: use a number (0xEE, 238, 0356) or one of ${Object.keys(TLV_TYPE_NAMES).join(', ')}`,
  };
}
