// Layer-6 fetches on the client's first bytes (HAProxy src/payload.c): req.len, req.payload,
// req.ssl_hello_type, req.ssl_sni, req.ssl_ver and their old spellings. They exist from
// `tcp-request content` on, where the data path holds the bytes received so far in
// `ctx.request` and waits up to `tcp-request inspect-delay` when a rule needs more.
//
// The waiting contract (HAProxy SMP_F_MAY_CHANGE): a fetch that cannot answer yet, or whose
// answer may still change, sets `ctx.requestMayChange` — unless `ctx.requestFinal` says no
// more bytes will come, in which case it answers with what is there (often: no sample).
import type { SessionContext } from '../../model/session.js';
import { registerFetches, simpleFetch, type FetchDescriptor } from '../keyword.js';
import type { Sample } from '../types.js';
import { handshakeType, readClientHello, serverNameOf } from './client-hello.js';

/** Largest record HAProxy's req.ssl_ver accepts: 2^14 plus 2048 of expansion (RFC 5246 §6.2.3). */
const MAX_SSL_RECORD_BYTES = (1 << 14) + 2048;

const TRUE: Sample = Object.freeze({ type: 'bool', value: true });

function mayChange(ctx: SessionContext): undefined {
  if (!ctx.requestFinal) ctx.requestMayChange = true;
  return undefined;
}

const L6 = {
  earliestPhase: 'content',
  phaseReason: 'the client\'s bytes are only inspected by tcp-request content rules',
} as const;

function sslHelloType(ctx: SessionContext): Sample | undefined {
  const t = handshakeType(ctx.request);
  if (t === 'incomplete') return mayChange(ctx);
  return t === 'invalid' ? undefined : { type: 'int', value: t };
}

function sslSni(ctx: SessionContext): Sample | undefined {
  const r = readClientHello(ctx.request);
  if (r.status === 'incomplete') return mayChange(ctx);
  if (r.status === 'invalid') return undefined;
  const name = serverNameOf(r.hello);
  return name === undefined ? undefined : { type: 'str', value: name };
}

/**
 * The ClientHello's client_version as HAProxy encodes it, major << 16 | minor (TLS 1.2 =
 * 0x30003), once the whole first record is there. SSLv2-format hellos give no sample (HAProxy
 * reads them; no client still sends one).
 */
function sslVer(ctx: SessionContext): Sample | undefined {
  const data = ctx.request;
  if (data.length === 0) return mayChange(ctx);
  const type = data[0] as number;
  if (!((type >= 0x14 && type <= 0x17) || type === 0xff)) return undefined;
  if (data.length < 11) return mayChange(ctx);
  if (data[1] as number < 3) return undefined;
  const recordLength = data.readUInt16BE(3);
  if (recordLength < 6 || recordLength > MAX_SSL_RECORD_BYTES) return undefined;
  if (data.length - 5 < recordLength) return mayChange(ctx);
  return { type: 'int', value: ((data[9] as number) << 16) + (data[10] as number) };
}

/** req.len: the bytes so far; it may always grow until the decision is final. */
function reqLen(ctx: SessionContext): Sample {
  if (!ctx.requestFinal) ctx.requestMayChange = true;
  return { type: 'int', value: ctx.request.length };
}

const reqPayload: FetchDescriptor['compile'] = (args, site) => {
  const offset = args[0]?.kind === 'int' ? args[0].value : -1;
  const length = args[1]?.kind === 'int' ? args[1].value : -1;
  if (offset < 0 || length < 0) {
    site.error('req.payload expects (<offset>,<length>): two integers >= 0');
    return undefined;
  }
  // HAProxy: length 0 means "everything from offset on" (and may then still grow).
  return {
    first: (ctx) => {
      const data = ctx.request;
      if (length === 0) {
        if (!ctx.requestFinal) ctx.requestMayChange = true;
        if (offset > data.length) return undefined;
        return { type: 'bin', value: data.subarray(offset) };
      }
      if (data.length < offset + length) return mayChange(ctx);
      return { type: 'bin', value: data.subarray(offset, offset + length) };
    },
  };
};

const sslHelloTypeDesc = { ...L6, output: 'int', args: [], compile: simpleFetch(sslHelloType) } as const;
const sslSniDesc = { ...L6, output: 'str', args: [], compile: simpleFetch(sslSni) } as const;
const sslVerDesc = { ...L6, output: 'int', args: [], compile: simpleFetch(sslVer) } as const;
const lenDesc = { ...L6, output: 'int', args: [], compile: simpleFetch(reqLen) } as const;

registerFetches([
  { ...lenDesc, name: 'req.len', syntax: 'req.len', summary: 'number of client bytes received so far (waits within inspect-delay while a rule on it fails)' },
  { ...lenDesc, name: 'req_len', syntax: 'req_len', summary: 'old name of req.len' },
  {
    ...L6, name: 'req.payload', syntax: 'req.payload(<offset>,<length>)', output: 'bin',
    args: [{ name: 'offset', kind: 'int' }, { name: 'length', kind: 'int' }],
    summary: 'the client bytes at <offset>, <length> long (0: to the end); waits within inspect-delay until they are there',
    compile: reqPayload,
  },
  { ...sslHelloTypeDesc, name: 'req.ssl_hello_type', syntax: 'req.ssl_hello_type', summary: 'type of the first TLS handshake message once whole (1: ClientHello); no sample for non-TLS bytes' },
  { ...sslHelloTypeDesc, name: 'req_ssl_hello_type', syntax: 'req_ssl_hello_type', summary: 'old name of req.ssl_hello_type' },
  { ...sslSniDesc, name: 'req.ssl_sni', syntax: 'req.ssl_sni', summary: 'server name (SNI) of the ClientHello, read without terminating TLS; a hello split over several records is reassembled' },
  { ...sslSniDesc, name: 'req_ssl_sni', syntax: 'req_ssl_sni', summary: 'old name of req.ssl_sni' },
  { ...sslVerDesc, name: 'req.ssl_ver', syntax: 'req.ssl_ver', summary: 'client_version of the ClientHello, major << 16 | minor (TLS 1.2: 196611); SSLv2 hellos give no sample' },
  { ...sslVerDesc, name: 'req_ssl_ver', syntax: 'req_ssl_ver', summary: 'old name of req.ssl_ver' },
  {
    ...L6, name: 'wait_end', syntax: 'wait_end', output: 'bool', args: [],
    summary: 'true once no more client bytes will be inspected (inspect-delay expired, buffer full, client ended); waits until then',
    compile: simpleFetch((ctx) => (ctx.requestFinal ? TRUE : mayChange(ctx))),
  },
]);
