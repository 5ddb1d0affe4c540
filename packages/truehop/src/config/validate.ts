// Checks that only look at the finished drafts (no mutation): what HAProxy checks after
// parsing (missing timeouts, a frontend without bind, no listener at all) plus what it
// silently lets through and truehop does not (PROXY v2 options without send-proxy-v2,
// health checks that lose their PROXY header because of `port`/`addr`).
import type { DiagnosticSink } from '../text/diagnostics.js';
import type { ProxyDraft, ServerDraft, ServiceRuleDraft } from './draft.js';
import type { SourcePos } from '../text/source.js';
import type { ProxyV2Option, Timeouts } from '../model/config-model.js';

export function validateDrafts(proxies: readonly ProxyDraft[], firstPos: SourcePos | undefined, sink: DiagnosticSink): void {
  for (const p of proxies) {
    if (p.fe && p.bindLines === 0) {
      // HAProxy: "Proxy 'x' has no 'bind' directive. Please declare it as a backend if this was intended."
      sink.alert(p.pos, 'FRONTEND_NO_BIND', `${p.kind} '${p.name}' has no 'bind' line; declare it as a backend if that was intended`);
    }
    checkTimeouts(p, sink);
    checkHttpServices(p, sink);
    if (p.fe && p.logOption?.kind === 'httplog') {
      // Inherited from a defaults section: reported once there (load-config dedupes by place),
      // so the message names the section that has the line, not one of its heirs.
      const where = declaredIn(p, p.logOption.pos) ? `${p.kind} '${p.name}'` : 'this defaults section';
      if (!servesHttp(p)) {
        // HAProxy gives the same warning and falls back the same way (a refused `mode http`
        // leaves the proxy a TCP one).
        sink.warning(p.logOption.pos, 'HTTPLOG_IN_TCP_MODE', `'option httplog' needs 'mode http' in ${where}; falling back to 'option tcplog'`);
      } else {
        sink.warning(p.logOption.pos, 'PARSED_NOT_APPLIED', `'option httplog' in ${where}: requests to the stats page and the Prometheus exporter are not logged by truehop`);
      }
    }
    if (p.be) {
      for (const s of p.servers) checkServer(p, s, sink);
      // HAProxy ignores these without the matching option; say so rather than stay silent.
      const firstStep = p.tcpCheckSteps[0];
      if (firstStep && p.checkOption?.kind !== 'tcp-check' && declaredIn(p, firstStep.pos)) {
        sink.warning(firstStep.pos, 'IGNORED_WITHOUT_OPTION', `${p.kind} '${p.name}': tcp-check rules are ignored without 'option tcp-check'`);
      }
      if (p.httpExpectStatus && p.checkOption?.kind !== 'httpchk' && declaredIn(p, p.httpExpectStatus.pos)) {
        sink.warning(p.httpExpectStatus.pos, 'IGNORED_WITHOUT_OPTION', `${p.kind} '${p.name}': 'http-check expect' is ignored without 'option httpchk'`);
      }
    }
  }
  checkDuplicateBinds(proxies, sink);
  if (!proxies.some((p) => p.fe) && firstPos) {
    // HAProxy: "Configuration file has no error but will not start (no listener) => exit(2)."
    sink.warning(firstPos, 'NO_LISTENER', 'no frontend or listen section: the configuration is valid but truehop would not listen anywhere');
  }
}

/**
 * The same address and port bound twice can never work: the second listen fails with
 * EADDRINUSE at start-up. HAProxy only finds out when it binds; truehop says so at load time.
 * Port 0 (any free port) is exempt.
 */
function checkDuplicateBinds(proxies: readonly ProxyDraft[], sink: DiagnosticSink): void {
  const seen = new Map<string, { proxy: ProxyDraft; pos: SourcePos }>();
  for (const p of proxies) {
    if (!p.fe) continue;
    for (const b of p.binds) {
      if (b.port === 0) continue;
      const key = `${b.host === '0.0.0.0' ? '' : b.host}|${b.port}`;
      const first = seen.get(key);
      if (first) {
        sink.alert(b.pos, 'DUPLICATE_BIND', `${p.kind} '${p.name}': ${b.host === '' ? '*' : b.host}:${b.port} is already bound by ${first.proxy.kind} '${first.proxy.name}' at line ${first.pos.line}`);
      } else seen.set(key, { proxy: p, pos: b.pos });
    }
  }
}

/**
 * truehop parses HTTP only for its built-in services: `mode http` is accepted for a
 * frontend/listen whose every request goes to the stats page or the exporter (no servers,
 * no default_backend, no use_backend: a request that matches no service gets HAProxy's 503).
 * Anything else in mode http would need HTTP forwarding, which truehop does not have yet:
 * accepting it would forward HTTP as a TCP stream without rules, headers or httplog.
 */
/** Why `mode http` cannot apply to `p` (empty: it is a frontend/listen serving only the built-in services). */
function httpRefusals(p: ProxyDraft): string[] {
  const hasService = p.stats?.enabled === true || p.rules.some((r) => r.kind === 'use-service');
  const reasons: string[] = [];
  if (!p.fe) reasons.push('it is a backend');
  else {
    if (!hasService) reasons.push('it serves neither the stats page nor the Prometheus exporter');
    if (p.servers.length > 0) reasons.push('it has servers');
    if (p.defaultBackend !== undefined) reasons.push('it has a default_backend');
    if (p.rules.some((r) => r.kind === 'use_backend')) reasons.push('it has use_backend rules');
  }
  return reasons;
}

/** `p` is in mode http and serves only the built-in services: the one HTTP truehop parses. */
function servesHttp(p: ProxyDraft): boolean {
  return p.mode === 'http' && httpRefusals(p).length === 0;
}

function checkHttpServices(p: ProxyDraft, sink: DiagnosticSink): void {
  const useServices = p.rules.filter((r): r is ServiceRuleDraft => r.kind === 'use-service');
  const hasStats = p.stats?.enabled === true;
  if (p.mode !== 'http') {
    // HAProxy: "'stats' statement ignored for proxy … as it requires HTTP mode".
    const at = useServices[0]?.pos ?? (hasStats && p.stats && declaredIn(p, p.stats.pos) ? p.stats.pos : undefined);
    if (at && p.fe) sink.warning(at, 'HTTP_SERVICE_IN_TCP_MODE', `${p.kind} '${p.name}': the stats page and http-request use-service need 'mode http'; ignored in mode tcp`);
    return;
  }
  const pos = p.modeHttpPos ?? p.pos;
  const where = declaredIn(p, pos) ? `${p.kind} '${p.name}'` : `${p.kind} '${p.name}' (mode http from its defaults section)`;
  const reasons = httpRefusals(p);
  if (reasons.length === 0) return;
  sink.alert(pos, 'NOT_SUPPORTED_YET', `'mode http' in ${where} is not supported by truehop yet: ${reasons.join(', ')}; truehop forwards TCP streams and parses HTTP only in a frontend/listen whose requests all go to the stats page or the Prometheus exporter (use 'mode tcp')`);
}

/** True when `pos` is inside the proxy's own section (not inherited from a defaults section). */
function declaredIn(p: ProxyDraft, pos: SourcePos): boolean {
  return pos.file === p.pos.file && pos.line > p.pos.line;
}

function checkTimeouts(p: ProxyDraft, sink: DiagnosticSink): void {
  const missing: (keyof Timeouts)[] = [];
  if (p.fe && p.timeouts.client === undefined) missing.push('client');
  if (p.be && p.timeouts.connect === undefined) missing.push('connect');
  if (p.be && p.timeouts.server === undefined) missing.push('server');
  if (missing.length === 0) return;
  // Same condition and spirit as HAProxy's "missing timeouts" warning: infinite timeouts let
  // dead or stalled peers hold connections (and file descriptors) forever.
  sink.warning(p.pos, 'MISSING_TIMEOUTS', `missing timeouts for ${p.kind} '${p.name}': set 'timeout ${missing.join("', 'timeout ")}' to a non-zero value, or idle connections are never closed`);
}

const V2_ONLY: readonly ProxyV2Option[] = ['ssl', 'cert-cn', 'ssl-cipher', 'cert-sig', 'cert-key', 'authority', 'crc32c', 'unique-id'];

function checkServer(p: ProxyDraft, s: ServerDraft, sink: DiagnosticSink): void {
  const v2 = s.pp.has('v2');
  if (!v2) {
    // HAProxy accepts these without send-proxy-v2 and silently sends nothing (§4.6, §4.7).
    const opts = V2_ONLY.filter((o) => s.pp.has(o));
    if (opts.length > 0) {
      const at = s.ppPos.get(opts[0] as ProxyV2Option);
      const pos = at && at.line === s.pos.line && at.file === s.pos.file ? at : s.pos;
      sink.warning(pos, 'PP2_OPTION_WITHOUT_V2', `server '${p.name}/${s.name}': proxy-v2-options ${opts.join(',')} have no effect without send-proxy-v2${s.pp.has('v1') ? ' (send-proxy sends v1, which has no TLVs)' : ''}`);
    }
    for (const t of s.tlvFmts) {
      const pos = t.pos.line === s.pos.line && t.pos.file === s.pos.file ? t.pos : s.pos;
      sink.warning(pos, 'TLV_FMT_WITHOUT_V2', `server '${p.name}/${s.name}': set-proxy-v2-tlv-fmt(0x${t.type.toString(16).toUpperCase().padStart(2, '0')}) has no effect without send-proxy-v2`);
    }
  }
  if (s.check && (s.pp.has('v1') || v2) && (s.checkPort !== undefined || s.checkAddr !== undefined) && !s.checkSendProxy) {
    // §4.8: with port/addr the checks do not inherit send-proxy; a server that requires the
    // header then rejects every check and is marked down.
    sink.warning(s.pos, 'CHECK_WITHOUT_PROXY', `server '${p.name}/${s.name}': health checks to a separate ${s.checkPort !== undefined ? 'port' : 'address'} do not send the PROXY header; add 'check-send-proxy' if the server expects it`);
  }
}
