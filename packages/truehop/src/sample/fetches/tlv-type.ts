// The TLV type argument of fc_pp_tlv(<id|name>) (§4.11): a case-insensitive name or a number
// as C strtoul(…, 0) reads it (0xEE, 238, 0356), 0–255.
import { PP2_SUBTYPE_SSL, PP2_TYPE } from '@truehop/proxy-protocol';
import { strtoul } from '../../text/integer.js';

/** HAProxy's TLV names (src/connection.c), their numbers from the codec's one table. */
export const TLV_TYPE_NAMES: Readonly<Record<string, number>> = {
  ALPN: PP2_TYPE.ALPN,
  AUTHORITY: PP2_TYPE.AUTHORITY,
  // HAProxy's manual says CRC32 but only CRC32C parses (§4.11 [OBS]); we accept what HAProxy accepts.
  CRC32C: PP2_TYPE.CRC32C,
  NOOP: PP2_TYPE.NOOP,
  UNIQUE_ID: PP2_TYPE.UNIQUE_ID,
  SSL: PP2_TYPE.SSL,
  // These name TOP-LEVEL TLVs 0x21–0x25, which a conforming sender nests inside SSL (0x20) instead:
  // HAProxy-compatible, they match only if a sender put them at top level (§4.11). The typed
  // fc_pp_ssl_* fetches read the nested ones.
  SSL_VERSION: PP2_SUBTYPE_SSL.VERSION,
  SSL_CN: PP2_SUBTYPE_SSL.CN,
  SSL_CIPHER: PP2_SUBTYPE_SSL.CIPHER,
  SSL_SIG_ALG: PP2_SUBTYPE_SSL.SIG_ALG,
  SSL_KEY_ALG: PP2_SUBTYPE_SSL.KEY_ALG,
  NETNS: PP2_TYPE.NETNS,
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
