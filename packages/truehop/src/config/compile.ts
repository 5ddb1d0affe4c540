// The compile stage: drafts and resolved references → the frozen TruehopModel
// (model/config-model.ts). ACLs and rules (compile-rules.ts) and log formats become closures
// here, per proxy, so a format inherited from a defaults section is compiled with the proxy
// that uses it; backend names become references to the BackendModel objects. The result is
// immutable all the way down except the compiled closures, which belong to the expression engine.
import { Buffer } from 'node:buffer';
import type { BindDraft, GlobalDraft, LogDecl, ProxyDraft, ServerDraft } from './draft.js';
import type { BindTlsDraft } from './keywords/bind/tls-options.js';
import { compileBindTls } from './tls/bind-tls.js';
import type { BindTlsModel } from '../model/tls.js';
import { DEFAULT_CHECK_INTER_MS, DEFAULT_RETRIES } from './draft.js';
import type { LoadContext } from './load-context.js';
import { compileEnvFor } from './load-context.js';
import type { Word } from '../text/source.js';
import { frozenArray, frozenMap, frozenSet } from './freeze.js';
import type {
  BackendModel,
  BindModel,
  CheckKind,
  CheckModel,
  FrontendModel,
  GlobalModel,
  HttpServicesModel,
  LogTarget,
  ProxyV2Option,
  ServerModel,
  StatsPageModel,
  TcpCheckStep,
  TlvFormat,
  TruehopModel,
  UseBackendRule,
} from '../model/config-model.js';
import type { ResolvedReferences } from './resolve.js';
import type { CompiledRules } from './compile-rules.js';
import { compileRules } from './compile-rules.js';
import { compileServerTls } from './compile-server-tls.js';
import type { CompiledLogFormat } from '../sample/compiled.js';
import type { SessionContext } from '../model/session.js';
import { compileLogFormat } from '../sample/log-format.js';
import { DEFAULT_STATS_REALM, DEFAULT_STATS_URI } from './keywords/proxy/http-services.js';

const PROXY_V2_OPTIONS: readonly ProxyV2Option[] = ['ssl', 'cert-cn', 'ssl-cipher', 'cert-sig', 'cert-key', 'authority', 'crc32c', 'unique-id'];
const EMPTY = Buffer.alloc(0);

/** An empty format (`set-proxy-v2-tlv-fmt(<id>)` with no or an empty argument: an empty TLV). */
function emptyFormat(): CompiledLogFormat {
  return Object.freeze({ source: '', earliestPhase: 'connection' as const, render: () => EMPTY });
}

export function compileModel(ctx: LoadContext, resolved: ResolvedReferences): TruehopModel {
  const global = compileGlobal(ctx.global);
  const rules = new Map<ProxyDraft, CompiledRules>(ctx.proxies.map((p) => [p, compileRules(ctx, p)]));
  const backends = new Map<ProxyDraft, BackendModel>();
  const backendsByName: [string, BackendModel][] = [];
  for (const p of ctx.proxies) {
    if (!p.be || backendsByName.some(([n]) => n === p.name)) continue;
    const be = compileBackend(ctx, p, rules.get(p) as CompiledRules);
    backends.set(p, be);
    backendsByName.push([p.name, be]);
  }
  const frontends: [string, FrontendModel][] = [];
  for (const p of ctx.proxies) {
    if (p.fe && !frontends.some(([n]) => n === p.name)) {
      frontends.push([p.name, compileFrontend(ctx, p, rules.get(p) as CompiledRules, global, (ref) => {
        const target = resolved.backendOf.get(ref);
        return target === undefined ? undefined : backends.get(target);
      }, backends.get(p))]);
    }
  }
  return Object.freeze({ global, frontends: frozenMap(frontends), backends: frozenMap(backendsByName) });
}

function compileGlobal(g: GlobalDraft): GlobalModel {
  const out: GlobalModel = {
    pp2NeverSendLocal: g.pp2NeverSendLocal,
    logs: frozenArray(g.logs.map(freezeLog)) as LogTarget[],
    statsSockets: frozenArray(g.statsSockets.map((s) => Object.freeze({ ...s, pos: Object.freeze({ ...s.pos }) }))),
  };
  if (g.maxconn !== undefined) out.maxconn = g.maxconn;
  if (g.nbthread !== undefined) out.nbthread = g.nbthread;
  if (g.hardStopAfterMs !== undefined) out.hardStopAfterMs = g.hardStopAfterMs;
  if (g.statsTimeoutMs !== undefined) out.statsTimeoutMs = g.statsTimeoutMs;
  if (g.statsMaxconn !== undefined) out.statsMaxconn = g.statsMaxconn;
  if (g.masterWorker) out.masterWorker = true;
  return Object.freeze(out);
}

function freezeLog(t: LogTarget): LogTarget {
  return Object.freeze({ ...t, pos: Object.freeze({ ...t.pos }) });
}

function resolveLogs(decls: readonly LogDecl[], global: GlobalModel): readonly LogTarget[] {
  const out: LogTarget[] = [];
  for (const d of decls) {
    if (d.kind === 'global') out.push(...global.logs);
    else out.push(freezeLog(d.target));
  }
  return frozenArray(out);
}

function compileFormat(ctx: LoadContext, p: ProxyDraft, rules: CompiledRules, word: Word, phase: 'session' | 'backend'): CompiledLogFormat | undefined {
  if (word.text === '') return emptyFormat();
  return compileLogFormat(word, compileEnvFor(ctx, p, phase, rules.scope));
}

/** TLS settings of one bind line, shared by its addresses: the files are read once per line. */
const compiledTls = new WeakMap<BindTlsDraft, BindTlsModel | undefined>();

function compileBind(ctx: LoadContext, b: BindDraft): BindModel {
  const { tlsDraft, ...plain } = b;
  const m: BindModel = { ...plain, pos: Object.freeze({ ...b.pos }) };
  if (tlsDraft !== undefined) {
    let t = compiledTls.get(tlsDraft);
    if (!compiledTls.has(tlsDraft)) compiledTls.set(tlsDraft, (t = compileBindTls(tlsDraft, ctx.global, ctx.diagnostics)));
    if (t !== undefined) m.tls = t;
  }
  return Object.freeze(m);
}

/**
 * `backendOf` gives the BackendModel a default_backend/use_backend word was resolved to
 * (undefined only when resolve reported it: such a configuration never runs).
 */
function compileFrontend(
  ctx: LoadContext,
  p: ProxyDraft,
  rules: CompiledRules,
  global: GlobalModel,
  backendOf: (ref: Word) => BackendModel | undefined,
  self: BackendModel | undefined,
): FrontendModel {
  const useBackends: UseBackendRule[] = [];
  for (const u of rules.useBackends) {
    const backend = backendOf(u.draft.backend);
    if (backend !== undefined) useBackends.push(Object.freeze({ backend, condition: u.condition, pos: Object.freeze({ ...u.draft.pos }) }));
  }
  const mode = p.mode ?? 'tcp';
  const fe: FrontendModel = {
    name: p.name,
    mode,
    binds: frozenArray(p.binds.map((b) => compileBind(ctx, b))),
    timeouts: Object.freeze({ ...p.timeouts }),
    useBackends: frozenArray(useBackends),
    tcpRequest: Object.freeze({
      connection: frozenArray(rules.tcpRequest.connection),
      session: frozenArray(rules.tcpRequest.session),
      content: frozenArray(rules.tcpRequest.content),
      ...(p.inspectDelayMs !== undefined ? { inspectDelayMs: p.inspectDelayMs } : {}),
    }),
    logs: resolveLogs(p.logs, global),
    pos: Object.freeze({ ...p.pos }),
  };
  // `maxconn 0` on a frontend leaves the process limit in charge (HAProxy), i.e. unset here.
  if (p.maxconn !== undefined && p.maxconn > 0) fe.maxconn = p.maxconn;
  // A listen section is its own backend unless it names another one.
  const defaultBackend = p.defaultBackend !== undefined ? backendOf(p.defaultBackend) : self;
  if (defaultBackend !== undefined) fe.defaultBackend = defaultBackend;
  // `option tcplog`/`httplog` leave logFormat unset: the data path then writes HAProxy's
  // tcplog line itself (observe/tcplog.ts, with the proxy-hop suffix). truehop forwards TCP
  // streams, so an httplog falls back to tcplog (validate.ts warns outside mode http).
  if (p.logFormat) {
    const logFormat = compileFormat(ctx, p, rules, p.logFormat, 'backend');
    if (logFormat) fe.logFormat = logFormat;
  }
  if (p.uniqueIdFormat) {
    const u = compileFormat(ctx, p, rules, p.uniqueIdFormat, 'session');
    if (u) fe.uniqueIdFormat = u;
  }
  if (mode === 'http') fe.services = compileServices(p, rules);
  return Object.freeze(fe);
}

/** The stats page and exporter rules of a mode http frontend (validate.ts made sure it has no backend). */
function compileServices(p: ProxyDraft, rules: CompiledRules): HttpServicesModel {
  const useServices = rules.services
    .filter((r) => r.draft.kind === 'use-service')
    .map((r) => Object.freeze({ service: 'prometheus-exporter' as const, condition: r.condition, pos: Object.freeze({ ...r.draft.pos }) }));
  const out: HttpServicesModel = { useServices: frozenArray(useServices) };
  const st = p.stats;
  if (st?.enabled === true) {
    const stats: StatsPageModel = {
      uri: st.uri ?? DEFAULT_STATS_URI,
      realm: st.realm ?? DEFAULT_STATS_REALM,
      users: frozenArray(st.users.map((u) => Object.freeze({ ...u }))),
      hideVersion: st.hideVersion,
      pos: Object.freeze({ ...st.pos }),
    };
    if (st.refreshMs !== undefined && st.refreshMs > 0) stats.refreshMs = st.refreshMs;
    // HAProxy keeps the first `stats admin` rule whose condition holds; one is the common case.
    const admins = rules.services.filter((r) => r.draft.kind === 'stats-admin').map((r) => r.condition);
    const first = admins[0];
    if (first !== undefined) {
      stats.admin = admins.length === 1 ? first : Object.freeze({ source: admins.map((a) => a.source).join(' || '), earliestPhase: 'http-request' as const, test: (c: SessionContext) => admins.some((a) => a.test(c)) });
    }
    out.stats = Object.freeze(stats);
  }
  return Object.freeze(out);
}

function compileBackend(ctx: LoadContext, p: ProxyDraft, rules: CompiledRules): BackendModel {
  const be: BackendModel = {
    name: p.name,
    mode: p.mode ?? 'tcp',
    balance: p.balance ?? 'roundrobin',
    servers: frozenArray(p.servers.map((s) => compileServer(ctx, p, rules, s))),
    timeouts: Object.freeze({ ...p.timeouts }),
    retries: p.retries ?? DEFAULT_RETRIES,
    redispatch: p.redispatch ?? false,
    ...(p.redispatchInterval !== undefined ? { redispatchInterval: p.redispatchInterval } : {}),
    checkKind: compileCheckKind(p),
    pos: Object.freeze({ ...p.pos }),
  };
  return Object.freeze(be);
}

function compileCheckKind(p: ProxyDraft): CheckKind {
  const opt = p.checkOption;
  if (opt?.kind === 'httpchk') {
    const kind: CheckKind = { kind: 'httpchk', method: opt.method, uri: opt.uri, version: opt.version };
    if (p.httpExpectStatus) kind.expectStatus = p.httpExpectStatus.text;
    return Object.freeze(kind);
  }
  if (opt?.kind === 'tcp-check') {
    return Object.freeze({ kind: 'tcp-check' as const, steps: frozenArray(p.tcpCheckSteps.map((s) => Object.freeze({ ...s.step }))) as TcpCheckStep[] });
  }
  return Object.freeze({ kind: 'tcp' as const });
}

/** The PROXY version a server sends: v2 wins over v1 when both are set (§4.3). */
function sendProxyOf(s: ServerDraft): ServerModel['sendProxy'] {
  if (s.pp.has('v2')) return 'v2';
  if (s.pp.has('v1')) return 'v1';
  return 'none';
}

function compileServer(ctx: LoadContext, p: ProxyDraft, rules: CompiledRules, s: ServerDraft): ServerModel {
  const sendProxy = sendProxyOf(s);
  const inter = s.interMs ?? DEFAULT_CHECK_INTER_MS;
  const check: CheckModel = {
    enabled: s.check,
    interMs: inter,
    fastinterMs: s.fastinterMs ?? inter,
    downinterMs: s.downinterMs ?? inter,
    rise: s.rise,
    fall: s.fall,
    // §4.8: checks inherit send-proxy* unless they go to another port/address;
    // check-send-proxy forces it (v1 when the server itself sends none).
    sendProxy: s.checkSendProxy || (sendProxy !== 'none' && s.checkPort === undefined && s.checkAddr === undefined),
  };
  if (s.checkAddr !== undefined) check.addr = s.checkAddr;
  if (s.checkPort !== undefined) check.port = s.checkPort;
  const tlvFormats: TlvFormat[] = [];
  for (const t of s.tlvFmts) {
    const format = compileFormat(ctx, p, rules, t.fmt, 'backend');
    if (format) tlvFormats.push(Object.freeze({ type: t.type, format, pos: Object.freeze({ ...t.pos }) }));
  }
  const tls = compileServerTls(ctx, p, rules, s, ctx.global, check);
  if (tls.check !== undefined) check.tls = tls.check;
  const server: ServerModel = {
    name: s.name,
    host: s.host,
    port: s.port,
    weight: s.weight,
    backup: s.backup,
    disabled: s.disabled,
    sendProxy,
    proxyV2Options: frozenSet(PROXY_V2_OPTIONS.filter((o) => s.pp.has(o))),
    tlvFormats: frozenArray(tlvFormats),
    check: Object.freeze(check),
    pos: Object.freeze({ ...s.pos }),
  };
  if (tls.traffic !== undefined) server.tls = tls.traffic;
  // HAProxy: a server `maxconn 0` means no limit; the model says so with undefined.
  if (s.maxconn !== undefined && s.maxconn > 0) server.maxconn = s.maxconn;
  return Object.freeze(server);
}
