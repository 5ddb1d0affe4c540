// Fetches that read the received PROXY header (HAProxy src/connection.c, §4.11). The header is
// parsed after `tcp-request connection` rules run, so these are not available there (config
// alert). Values are raw TLV bytes; nothing here throws on a malformed vendor TLV: it simply
// yields no sample (the codec already validated the TLV framing).
import { PP2_TYPE } from '@truehop/proxy-protocol';
import type { ProxyHeader, Tlv } from '@truehop/proxy-protocol';
import { decodeAwsVpceId, PP2_TYPE_AWS } from '@truehop/proxy-protocol/aws';
import { decodeAzureLinkId, PP2_TYPE_AZURE } from '@truehop/proxy-protocol/azure';
import { decodeGcpPscConnectionId, PP2_TYPE_GCP } from '@truehop/proxy-protocol/gcp';
import { decodeSsl } from '@truehop/proxy-protocol/ssl';
import type { SslInfo } from '@truehop/proxy-protocol/ssl';
import type { SessionContext } from '../../model/session.js';
import { bufferView, byteStringFromText } from '../byte-string.js';
import { registerFetches, simpleFetch } from '../keyword.js';
import type { EachFn, FetchImpl } from '../keyword.js';
import type { Sample } from '../types.js';
import { parseTlvType } from './tlv-type.js';

const PHASE_REASON = "the PROXY header is read after the 'tcp-request connection' rules; use 'tcp-request session' or 'content'";

function firstTlv(header: ProxyHeader | null, type: number): Tlv | undefined {
  if (header === null) return undefined;
  const tlvs = header.tlvs;
  for (let i = 0; i < tlvs.length; i++) {
    const tlv = tlvs[i] as Tlv;
    if (tlv.type === type) return tlv;
  }
  return undefined;
}

/**
 * A fetch over every TLV of one type, decoded by `decode` (undefined = this TLV gives no
 * value). `each` walks the TLV list with a strictly increasing index and stops at its end:
 * the next value is always the next occurrence, so an ACL that matches none of them ends
 * after one pass (HAProxy issue #3482 restarted from the same element and spun forever).
 */
function tlvFetch(type: number, decode: (value: Uint8Array) => Sample | undefined): FetchImpl {
  const each: EachFn = (ctx, visit) => {
    const header = ctx.proxyHeader;
    if (header === null) return false;
    const tlvs = header.tlvs;
    for (let i = 0; i < tlvs.length; i++) {
      const tlv = tlvs[i] as Tlv;
      if (tlv.type !== type) continue;
      const sample = decode(tlv.value);
      if (sample !== undefined && visit(sample, ctx)) return true;
    }
    return false;
  };
  const first = (ctx: SessionContext): Sample | undefined => {
    const header = ctx.proxyHeader;
    if (header === null) return undefined;
    const tlvs = header.tlvs;
    for (let i = 0; i < tlvs.length; i++) {
      const tlv = tlvs[i] as Tlv;
      if (tlv.type !== type) continue;
      const sample = decode(tlv.value);
      if (sample !== undefined) return sample;
    }
    return undefined;
  };
  return { first, each };
}

const rawString = (value: Uint8Array): Sample => {
  const raw = bufferView(value);
  return { type: 'str', value: raw.toString('latin1'), raw };
};

/** Never throws: a vendor decoder's BAD_TLV becomes "no value" for that TLV. */
function guarded<T>(decode: (value: Uint8Array) => T | undefined): (value: Uint8Array) => T | undefined {
  return (value) => {
    try {
      return decode(value);
    } catch {
      return undefined;
    }
  };
}

const awsId = guarded(decodeAwsVpceId);
const azureId = guarded(decodeAzureLinkId);
const gcpId = guarded(decodeGcpPscConnectionId);

// The SSL TLV is decoded once per TLV object (headers are immutable once received).
const sslCache = new WeakMap<Tlv, SslInfo | null>();
function sslInfo(ctx: SessionContext): SslInfo | undefined {
  const tlv = firstTlv(ctx.proxyHeader, PP2_TYPE.SSL);
  if (tlv === undefined) return undefined;
  let info = sslCache.get(tlv);
  if (info === undefined) {
    info = guarded(decodeSsl)(tlv.value) ?? null;
    sslCache.set(tlv, info);
  }
  return info ?? undefined;
}

function sslText(pick: (info: SslInfo) => string | undefined): () => FetchImpl {
  return simpleFetch((ctx) => {
    const info = sslInfo(ctx);
    const text = info === undefined ? undefined : pick(info);
    return text === undefined ? undefined : { type: 'str', value: byteStringFromText(text) };
  });
}

const PP = { earliestPhase: 'session', phaseReason: PHASE_REASON } as const;

registerFetches([
  {
    ...PP, name: 'fc_rcvd_proxy', syntax: 'fc_rcvd_proxy', output: 'bool', args: [],
    summary: 'true when the connection started with a valid PROXY header (including v2 LOCAL and v1 UNKNOWN)',
    compile: simpleFetch((ctx) => ({ type: 'bool', value: ctx.proxyHeader !== null })),
  },
  {
    ...PP, name: 'fc_pp_tlv', syntax: 'fc_pp_tlv(<id|name>)', output: 'str', multiValued: true,
    args: [{ name: 'id|name', kind: 'str' }],
    summary: 'raw value of a top-level TLV, typed string (NUL bytes kept); every occurrence in ACLs, the first elsewhere. Names: ALPN AUTHORITY CRC32C NOOP UNIQUE_ID SSL SSL_VERSION SSL_CN SSL_CIPHER SSL_SIG_ALG SSL_KEY_ALG NETNS',
    compile(args, site) {
      const arg = args[0];
      const parsed = parseTlvType(arg?.kind === 'str' ? arg.text : '');
      if (!parsed.ok) {
        site.error(parsed.message);
        return undefined;
      }
      return tlvFetch(parsed.type, rawString);
    },
  },
  {
    ...PP, name: 'fc_pp_authority', syntax: 'fc_pp_authority', output: 'str', args: [],
    summary: 'value of the first AUTHORITY TLV (0x02)',
    compile: simpleFetch((ctx) => {
      const tlv = firstTlv(ctx.proxyHeader, PP2_TYPE.AUTHORITY);
      return tlv === undefined ? undefined : rawString(tlv.value);
    }),
  },
  {
    ...PP, name: 'fc_pp_unique_id', syntax: 'fc_pp_unique_id', output: 'str', args: [],
    summary: 'value of the first UNIQUE_ID TLV (0x05)',
    compile: simpleFetch((ctx) => {
      const tlv = firstTlv(ctx.proxyHeader, PP2_TYPE.UNIQUE_ID);
      return tlv === undefined ? undefined : rawString(tlv.value);
    }),
  },
  {
    ...PP, name: 'fc_pp_alpn', syntax: 'fc_pp_alpn', output: 'str', args: [], truehopOnly: true,
    summary: 'value of the first ALPN TLV (0x01), e.g. h2',
    compile: simpleFetch((ctx) => {
      const tlv = firstTlv(ctx.proxyHeader, PP2_TYPE.ALPN);
      return tlv === undefined ? undefined : rawString(tlv.value);
    }),
  },
  {
    ...PP, name: 'fc_pp_aws_vpce_id', syntax: 'fc_pp_aws_vpce_id', output: 'str', args: [], truehopOnly: true, multiValued: true,
    summary: 'AWS PrivateLink VPC endpoint id: 0xEA TLVs with subtype 0x01 (§3.5); malformed ids give no value',
    compile: () => tlvFetch(PP2_TYPE_AWS, (v) => {
      const id = awsId(v);
      return id === undefined ? undefined : { type: 'str', value: id };
    }),
  },
  {
    ...PP, name: 'fc_pp_azure_linkid', syntax: 'fc_pp_azure_linkid', output: 'int', args: [], truehopOnly: true, multiValued: true,
    summary: 'Azure Private Link LINKID: 0xEE TLVs with subtype 0x01, uint32 little-endian (§3.5)',
    compile: () => tlvFetch(PP2_TYPE_AZURE, (v) => {
      const id = azureId(v);
      return id === undefined ? undefined : { type: 'int', value: id };
    }),
  },
  {
    ...PP, name: 'fc_pp_gcp_psc_id', syntax: 'fc_pp_gcp_psc_id', output: 'str', args: [], truehopOnly: true, multiValued: true,
    summary: 'GCP Private Service Connect connection id: 0xE0 TLV, uint64 big-endian, as a decimal string (it exceeds 2^53)',
    compile: () => tlvFetch(PP2_TYPE_GCP, (v) => {
      const id = gcpId(v);
      return id === undefined ? undefined : { type: 'str', value: id.toString(10) };
    }),
  },
  {
    ...PP, name: 'fc_pp_ssl', syntax: 'fc_pp_ssl', output: 'bool', args: [], truehopOnly: true,
    summary: 'true when the SSL TLV (0x20) says the client connected over TLS (CLIENT_SSL bit)',
    compile: simpleFetch((ctx) => {
      const info = sslInfo(ctx);
      return info === undefined ? undefined : { type: 'bool', value: info.clientSsl };
    }),
  },
  {
    ...PP, name: 'fc_pp_ssl_client', syntax: 'fc_pp_ssl_client', output: 'int', args: [], truehopOnly: true,
    summary: "the SSL TLV's client bit field (0x01 SSL, 0x02 CERT_CONN, 0x04 CERT_SESS)",
    compile: simpleFetch((ctx) => {
      const info = sslInfo(ctx);
      return info === undefined ? undefined : { type: 'int', value: info.client };
    }),
  },
  {
    ...PP, name: 'fc_pp_ssl_verify', syntax: 'fc_pp_ssl_verify', output: 'int', args: [], truehopOnly: true,
    summary: "the SSL TLV's verify field; 0 also when NO certificate was presented: prefer fc_pp_ssl_cert_verified",
    compile: simpleFetch((ctx) => {
      const info = sslInfo(ctx);
      return info === undefined ? undefined : { type: 'int', value: info.verify };
    }),
  },
  {
    ...PP, name: 'fc_pp_ssl_cert_verified', syntax: 'fc_pp_ssl_cert_verified', output: 'bool', args: [], truehopOnly: true,
    summary: 'true when a client certificate was presented (CERT_CONN or CERT_SESS) AND verify is 0 (§3.4)',
    compile: simpleFetch((ctx) => {
      const info = sslInfo(ctx);
      return info === undefined ? undefined : { type: 'bool', value: info.certVerified };
    }),
  },
  { ...PP, name: 'fc_pp_ssl_version', syntax: 'fc_pp_ssl_version', output: 'str', args: [], truehopOnly: true, summary: 'nested SSL_VERSION sub-TLV (0x21), e.g. TLSv1.3', compile: sslText((i) => i.version) },
  { ...PP, name: 'fc_pp_ssl_cn', syntax: 'fc_pp_ssl_cn', output: 'str', args: [], truehopOnly: true, summary: 'nested SSL_CN sub-TLV (0x22): client certificate subject CN', compile: sslText((i) => i.cn) },
  { ...PP, name: 'fc_pp_ssl_cipher', syntax: 'fc_pp_ssl_cipher', output: 'str', args: [], truehopOnly: true, summary: 'nested SSL_CIPHER sub-TLV (0x23)', compile: sslText((i) => i.cipher) },
  { ...PP, name: 'fc_pp_ssl_sig_alg', syntax: 'fc_pp_ssl_sig_alg', output: 'str', args: [], truehopOnly: true, summary: 'nested SSL_SIG_ALG sub-TLV (0x24)', compile: sslText((i) => i.sigAlg) },
  { ...PP, name: 'fc_pp_ssl_key_alg', syntax: 'fc_pp_ssl_key_alg', output: 'str', args: [], truehopOnly: true, summary: 'nested SSL_KEY_ALG sub-TLV (0x25)', compile: sslText((i) => i.keyAlg) },
  { ...PP, name: 'fc_pp_ssl_group', syntax: 'fc_pp_ssl_group', output: 'str', args: [], truehopOnly: true, summary: 'nested SSL_GROUP sub-TLV (0x26)', compile: sslText((i) => i.group) },
  { ...PP, name: 'fc_pp_ssl_sig_scheme', syntax: 'fc_pp_ssl_sig_scheme', output: 'str', args: [], truehopOnly: true, summary: 'nested SSL_SIG_SCHEME sub-TLV (0x27)', compile: sslText((i) => i.sigScheme) },
  {
    ...PP, name: 'fc_pp_ssl_client_cert', syntax: 'fc_pp_ssl_client_cert', output: 'bin', args: [], truehopOnly: true,
    summary: 'nested SSL_CLIENT_CERT sub-TLV (0x28): the DER client certificate',
    compile: simpleFetch((ctx) => {
      const cert = sslInfo(ctx)?.clientCert;
      return cert === undefined ? undefined : { type: 'bin', value: bufferView(cert) };
    }),
  },
]);
