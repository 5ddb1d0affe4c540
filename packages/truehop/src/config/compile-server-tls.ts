// TLS to one server, compiled at load time: the server line's TLS options over the global
// `ssl-default-server-*` ones, the CA and certificate files read now, and one Node
// SecureContext built from them — so a missing or broken file is an alert naming
// file:line:col at load (and at reload), never a failure per connection. HAProxy's rules:
//  * `verify` defaults to global `ssl-server-verify`, itself `required`; verifying without a
//    `ca-file` is a fatal alert (ssl_sock.c prepare_srv_ctx);
//  * checks go over TLS with `check-ssl`, or with `ssl` when they go to the server itself
//    (no `addr`/`port`), as send-proxy is inherited (configuration.txt, server `ssl`);
//  * protocol versions default to TLS 1.2 at least.
// Private keys stay inside the SecureContext: no message ever shows a file's contents.
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import tls from 'node:tls';
import type { CheckModel, ServerTlsModel } from '../model/config-model.js';
import { compileExpression } from '../sample/expression.js';
import type { Word } from '../text/source.js';
import type { GlobalDraft, ProxyDraft, ServerDraft, TlsVersionName } from './draft.js';
import type { CompiledRules } from './compile-rules.js';
import { compileEnvFor, type LoadContext } from './load-context.js';

/** Certificate and CA bundles are small; this bound stops `crt /dev/zero` or a huge file. */
export const MAX_TLS_FILE_BYTES = 4 * 1024 * 1024;

/** HAProxy ≥ 2.2 (and Node) offer nothing older than TLS 1.2 unless told to. */
const DEFAULT_MIN_VERSION: TlsVersionName = 'TLSv1.2';

const NODE_VERSION: Readonly<Record<TlsVersionName, tls.SecureVersion | undefined>> = {
  SSLv3: undefined,
  'TLSv1.0': 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3',
};

export interface CompiledServerTls {
  traffic?: ServerTlsModel;
  check?: ServerTlsModel;
}

/** Reads one PEM file named by `word` (relative paths: from the config file's folder). */
function readPem(ctx: LoadContext, word: Word, what: string): string | undefined {
  const path = isAbsolute(word.text) ? word.text : resolve(dirname(word.pos.file), word.text);
  try {
    const size = statSync(path).size;
    if (size > MAX_TLS_FILE_BYTES) {
      ctx.diagnostics.alert(word.pos, 'BAD_TLS_FILE', `${what} '${word.text}' is larger than ${MAX_TLS_FILE_BYTES} bytes`);
      return undefined;
    }
    const text = readFileSync(path, 'latin1');
    if (!text.includes('-----BEGIN ')) {
      ctx.diagnostics.alert(word.pos, 'BAD_TLS_FILE', `${what} '${word.text}' holds no PEM block`);
      return undefined;
    }
    return text;
  } catch (err) {
    ctx.diagnostics.alert(word.pos, 'BAD_TLS_FILE', `unable to load ${what} '${word.text}': ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    return undefined;
  }
}

/**
 * OpenSSL's reason for refusing a PEM or an option (e.g. `no start line`, `key values
 * mismatch`), without anything read from the file.
 */
function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /:([^:]+)$/.exec(message);
  return (m?.[1] ?? message).trim();
}

function nodeVersion(ctx: LoadContext, s: ServerDraft, v: TlsVersionName | undefined): tls.SecureVersion | undefined | null {
  if (v === undefined) return undefined;
  const n = NODE_VERSION[v];
  if (n === undefined) {
    ctx.diagnostics.alert(s.pos, 'BAD_TLS_OPTION', `server '${s.name}': ${v} is not available (Node's OpenSSL has no SSLv3)`);
    return null;
  }
  return n;
}

export function compileServerTls(ctx: LoadContext, p: ProxyDraft, rules: CompiledRules, s: ServerDraft, global: GlobalDraft, check: CheckModel): CompiledServerTls {
  const t = s.tls;
  const useSsl = t.ssl !== undefined;
  const checkSsl = t.checkSsl ?? (useSsl && s.checkPort === undefined && s.checkAddr === undefined);
  if (!useSsl && !(checkSsl && check.enabled)) return {};
  const diag = ctx.diagnostics;
  const at = t.ssl ?? s.pos;
  const defaults = global.serverTls;
  const verify = t.verify?.value ?? defaults.verify ?? 'required';
  let ok = true;
  let ca: string | undefined;
  if (t.caFile !== undefined) {
    ca = readPem(ctx, t.caFile, 'CA file');
    ok &&= ca !== undefined;
  } else if (verify === 'required') {
    // HAProxy's two texts: the long one when verify comes from the default.
    diag.alert(t.verify?.pos ?? at, 'TLS_VERIFY_NO_CA', t.verify !== undefined
      ? `server '${s.name}': verify is enabled but no CA file specified`
      : `server '${s.name}': verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, set an explicit 'verify none' on the 'server' line, or 'ssl-server-verify none' in the global section`);
    ok = false;
  }
  let crt: string | undefined;
  if (t.crt !== undefined) {
    crt = readPem(ctx, t.crt, 'certificate');
    ok &&= crt !== undefined;
  }
  const minVersion = nodeVersion(ctx, s, t.minVer ?? defaults.minVer ?? DEFAULT_MIN_VERSION);
  const maxVersion = nodeVersion(ctx, s, t.maxVer ?? defaults.maxVer);
  if (minVersion === null || maxVersion === null) ok = false;
  let sni;
  if (t.sni !== undefined) {
    sni = compileExpression(t.sni, compileEnvFor(ctx, p, 'backend', rules.scope), { checkPhase: true });
    ok &&= sni !== undefined;
  }
  if (!ok) return {};

  const options: tls.SecureContextOptions = {};
  if (ca !== undefined) options.ca = ca;
  if (crt !== undefined) {
    // HAProxy's `crt`: the certificate, its chain and the key in one PEM; OpenSSL picks the
    // certificates and the key out of the same text.
    options.cert = crt;
    options.key = crt;
  }
  const suites = t.ciphersuites ?? defaults.ciphersuites;
  const ciphers = t.ciphers ?? defaults.ciphers;
  // Node takes both lists in one string: TLS 1.3 suites (TLS_…) and the older ciphers.
  if (suites !== undefined || ciphers !== undefined) options.ciphers = [suites, ciphers].filter((c) => c !== undefined).join(':');
  if (minVersion !== undefined && minVersion !== null) options.minVersion = minVersion;
  if (maxVersion !== undefined && maxVersion !== null) options.maxVersion = maxVersion;
  let secureContext: tls.SecureContext;
  try {
    secureContext = tls.createSecureContext(options);
  } catch (err) {
    const where = t.crt ?? t.caFile;
    const what = t.crt !== undefined ? `certificate '${t.crt.text}'` : t.caFile !== undefined ? `CA file '${t.caFile.text}'` : 'TLS options';
    diag.alert(where?.pos ?? at, options.cert !== undefined || options.ca !== undefined ? 'BAD_TLS_FILE' : 'BAD_TLS_OPTION',
      `server '${s.name}': unable to use ${what}${options.ciphers !== undefined ? ' or its ciphers' : ''}: ${reason(err)}`);
    return {};
  }
  const base = { secureContext, verify: verify === 'required', reuse: false };
  const out: CompiledServerTls = {};
  if (useSsl) {
    const traffic: ServerTlsModel = { ...base, reuse: t.reuse ?? true };
    if (sni !== undefined) Object.assign(traffic, { sni });
    if (t.verifyhost !== undefined) Object.assign(traffic, { verifyHost: t.verifyhost });
    if (t.alpn !== undefined) Object.assign(traffic, { alpn: Object.freeze([...t.alpn]) });
    out.traffic = Object.freeze(traffic);
  }
  if (checkSsl) {
    const forCheck: ServerTlsModel = { ...base };
    if (t.verifyhost !== undefined) Object.assign(forCheck, { verifyHost: t.verifyhost });
    if (t.checkSni !== undefined) Object.assign(forCheck, { fixedSni: t.checkSni });
    out.check = Object.freeze(forCheck);
  }
  return out;
}
