// The mutable, position-carrying form of the configuration while it is being parsed: one
// draft per section. `defaults` sections are drafts too; a proxy starts as a copy of the
// defaults it inherits from (HAProxy copies the defaults proxy into each new proxy at parse
// time, so later `defaults` sections never affect proxies declared before them).
import type { SourcePos, Word } from '../text/source.js';
import type { ProxySectionKind } from './keywords/keyword.js';
import type { TcpRuleSet, TcpRuleSetWord } from '../rules/tcp-request.js';
import type { BindTlsDraft, TlsSettingsDraft } from './keywords/bind/tls-options.js';
import type {
  BalanceAlgorithm,
  BindModel,
  LogTarget,
  StatsSocketModel,
  ProxyMode,
  ProxyV2Option,
  TcpCheckStep,
  Timeouts,
} from '../model/config-model.js';

/** PROXY-header flags of a server, HAProxy's SRV_PP_* bits (src/server.c). */
export type PpFlag = 'v1' | 'v2' | ProxyV2Option;

export interface TlvFormatDraft {
  type: number;
  /** The log-format word; compiled per server once the proxy is complete. */
  fmt: Word;
  pos: SourcePos;
}

export interface ServerDraft {
  name: string;
  host: string;
  port: number;
  pos: SourcePos;
  weight: number;
  backup: boolean;
  disabled: boolean;
  maxconn: number | undefined;
  pp: Set<PpFlag>;
  /** Where each PROXY flag was (last) set, for the warnings that point at it. */
  ppPos: Map<PpFlag, SourcePos>;
  tlvFmts: TlvFormatDraft[];
  check: boolean;
  interMs: number | undefined;
  fastinterMs: number | undefined;
  downinterMs: number | undefined;
  rise: number;
  fall: number;
  checkPort: number | undefined;
  checkAddr: string | undefined;
  checkSendProxy: boolean;
  /** TLS to the server and for its checks (`ssl`, `verify`, `check-ssl` …), as written. */
  tls: ServerTlsDraft;
}

/** HAProxy's protocol version names (`ssl-min-ver`, `ssl-max-ver`). */
export type TlsVersionName = 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** TLS options of a server line; undefined = not written (defaults and globals apply). */
export interface ServerTlsDraft {
  /** Where `ssl` was set; undefined: plain TCP (or `no-ssl`). */
  ssl: SourcePos | undefined;
  verify: { value: 'none' | 'required'; pos: SourcePos } | undefined;
  verifyhost: string | undefined;
  caFile: Word | undefined;
  crt: Word | undefined;
  /** `sni <expression>`, compiled with the other expressions of the backend. */
  sni: Word | undefined;
  alpn: string[] | undefined;
  ciphers: string | undefined;
  ciphersuites: string | undefined;
  minVer: TlsVersionName | undefined;
  maxVer: TlsVersionName | undefined;
  /** `check-ssl` (true), `no-check-ssl` (false), or inherited from `ssl` (undefined). */
  checkSsl: boolean | undefined;
  checkSni: string | undefined;
  /** `ssl-reuse` (true), `no-ssl-reuse` (false), or unset (HAProxy's default: reuse). */
  reuse: boolean | undefined;
}

/** `ssl-default-server-*` and `ssl-server-verify` of the global section. */
export interface ServerTlsDefaults {
  verify: 'none' | 'required' | undefined;
  ciphers: string | undefined;
  ciphersuites: string | undefined;
  minVer: TlsVersionName | undefined;
  maxVer: TlsVersionName | undefined;
}

export type LogDecl = { kind: 'global'; pos: SourcePos } | { kind: 'target'; target: LogTarget };

/**
 * A line of the ACL and rule family, kept as words until the compile stage (compile-rules.ts)
 * compiles them in line order: an ACL counts only for the lines after it, as in HAProxy.
 */
export type RuleDraft =
  | { kind: 'acl'; name: Word; args: readonly Word[] }
  | UseBackendDraft
  | { kind: 'tcp-request'; ruleSet: TcpRuleSetWord; args: readonly Word[] }
  | ServiceRuleDraft;

/**
 * `http-request use-service prometheus-exporter [if|unless …]` and `stats admin if|unless …`:
 * conditions compiled in line order with the ACLs, like the other rules.
 */
export interface ServiceRuleDraft {
  kind: 'use-service' | 'stats-admin';
  /** `if|unless <condition>` words; empty: always. */
  condition: readonly Word[];
  pos: SourcePos;
}

/** `stats …` lines of a proxy (inherited from defaults, as in HAProxy). */
export interface StatsDraft {
  enabled: boolean;
  uri: string | undefined;
  refreshMs: number | undefined;
  realm: string | undefined;
  users: { user: string; password: string }[];
  hideVersion: boolean;
  pos: SourcePos;
}

export type RulePhase = TcpRuleSet;

export interface UseBackendDraft {
  kind: 'use_backend';
  backend: Word;
  /** `if|unless <condition>` words; empty: always. */
  condition: readonly Word[];
  pos: SourcePos;
}

export interface ProxyDraft {
  kind: ProxySectionKind;
  name: string;
  pos: SourcePos;
  /** HAProxy capabilities: frontend part (listens), backend part (has servers). */
  fe: boolean;
  be: boolean;
  mode: ProxyMode | undefined;
  /** Where `mode http` was set (this section or its defaults), for the alert when it cannot apply. */
  modeHttpPos: SourcePos | undefined;
  /** `stats` lines, undefined when there are none. */
  stats: StatsDraft | undefined;
  timeouts: Timeouts;
  maxconn: number | undefined;
  retries: number | undefined;
  redispatch: boolean | undefined;
  redispatchInterval: number | undefined;
  logOption: { kind: 'tcplog' | 'httplog'; pos: SourcePos } | undefined;
  logs: LogDecl[];
  logFormat: Word | undefined;
  uniqueIdFormat: Word | undefined;
  defaultBackend: Word | undefined;
  balance: BalanceAlgorithm | undefined;
  defaultServer: ServerDraft;
  binds: BindDraft[];
  /** `bind` lines seen, valid or not: a frontend whose only bind is broken is not also 'without bind'. */
  bindLines: number;
  servers: ServerDraft[];
  /** acl, use_backend and tcp-request rule lines in order (never inherited from defaults). */
  rules: RuleDraft[];
  inspectDelayMs: number | undefined;
  /** Health-check kind (`option httpchk`, `option tcp-check`); plain TCP connect by default. */
  checkOption:
    | { kind: 'httpchk'; method: string; uri: string; version: string; pos: SourcePos }
    | { kind: 'tcp-check'; pos: SourcePos }
    | undefined;
  httpExpectStatus: { text: string; pos: SourcePos } | undefined;
  tcpCheckSteps: { step: TcpCheckStep; pos: SourcePos }[];
}

/** A bind before compile: its TLS options still as words (files are read by config/tls/). */
export interface BindDraft extends Omit<BindModel, 'tls'> {
  tlsDraft?: BindTlsDraft;
}

export interface GlobalDraft {
  maxconn: number | undefined;
  nbthread: number | undefined;
  pp2NeverSendLocal: boolean;
  logs: LogTarget[];
  statsSockets: StatsSocketModel[];
  statsTimeoutMs: number | undefined;
  statsMaxconn: number | undefined;
  hardStopAfterMs: number | undefined;
  masterWorker: boolean;
  serverTls: ServerTlsDefaults;
  /** `ssl-default-bind-*`: what TLS binds use where their line says nothing. */
  sslDefaultBind: TlsSettingsDraft;
  /** `crt-base` / `ca-base`: where relative crt and ca-file/crl-file paths are looked up. */
  crtBase: string | undefined;
  caBase: string | undefined;
}

export function newGlobalDraft(): GlobalDraft {
  return { maxconn: undefined, nbthread: undefined, pp2NeverSendLocal: false, logs: [], statsSockets: [], statsTimeoutMs: undefined, statsMaxconn: undefined, hardStopAfterMs: undefined, masterWorker: false,
    serverTls: { verify: undefined, ciphers: undefined, ciphersuites: undefined, minVer: undefined, maxVer: undefined },
    sslDefaultBind: {}, crtBase: undefined, caBase: undefined,
  };
}

/** HAProxy's built-in server defaults (src/server.c, DEF_CHKINTR, DEF_RISETIME, DEF_FALLTIME). */
export const DEFAULT_CHECK_INTER_MS = 2000;
export const DEFAULT_RISE = 2;
export const DEFAULT_FALL = 3;
export const DEFAULT_WEIGHT = 1;
/** HAProxy's default `retries` (DEF_RETRIES). */
export const DEFAULT_RETRIES = 3;

export function newServerDraft(pos: SourcePos): ServerDraft {
  return {
    name: '',
    host: '',
    port: 0,
    pos,
    weight: DEFAULT_WEIGHT,
    backup: false,
    disabled: false,
    maxconn: undefined,
    pp: new Set(),
    ppPos: new Map(),
    tlvFmts: [],
    check: false,
    interMs: undefined,
    fastinterMs: undefined,
    downinterMs: undefined,
    rise: DEFAULT_RISE,
    fall: DEFAULT_FALL,
    checkPort: undefined,
    checkAddr: undefined,
    checkSendProxy: false,
    tls: {
      ssl: undefined, verify: undefined, verifyhost: undefined, caFile: undefined, crt: undefined, sni: undefined,
      alpn: undefined, ciphers: undefined, ciphersuites: undefined, minVer: undefined, maxVer: undefined,
      checkSsl: undefined, checkSni: undefined, reuse: undefined,
    },
  };
}

export function cloneServerDraft(s: ServerDraft): ServerDraft {
  return { ...s, pp: new Set(s.pp), ppPos: new Map(s.ppPos), tlvFmts: [...s.tlvFmts], tls: { ...s.tls } };
}

export function newProxyDraft(kind: ProxySectionKind, name: string, pos: SourcePos, from: ProxyDraft | undefined): ProxyDraft {
  const fe = kind === 'frontend' || kind === 'listen';
  const be = kind === 'backend' || kind === 'listen';
  const draft: ProxyDraft = {
    kind,
    name,
    pos,
    fe: kind === 'defaults' || fe,
    be: kind === 'defaults' || be,
    mode: undefined,
    modeHttpPos: undefined,
    stats: undefined,
    timeouts: {},
    maxconn: undefined,
    retries: undefined,
    redispatch: undefined,
    redispatchInterval: undefined,
    logOption: undefined,
    logs: [],
    logFormat: undefined,
    uniqueIdFormat: undefined,
    defaultBackend: undefined,
    balance: undefined,
    defaultServer: newServerDraft(pos),
    binds: [],
    bindLines: 0,
    servers: [],
    rules: [],
    inspectDelayMs: undefined,
    checkOption: undefined,
    httpExpectStatus: undefined,
    tcpCheckSteps: [],
  };
  if (from) {
    // What a defaults section carries into the proxies that follow it (HAProxy
    // proxy_preset_defaults/copy of defproxy): settings, never listeners, servers or rules.
    draft.mode = from.mode;
    draft.modeHttpPos = from.modeHttpPos;
    if (from.stats) draft.stats = { ...from.stats, users: [...from.stats.users] };
    draft.timeouts = { ...from.timeouts };
    draft.maxconn = from.maxconn;
    draft.retries = from.retries;
    draft.redispatch = from.redispatch;
    draft.redispatchInterval = from.redispatchInterval;
    draft.logOption = from.logOption;
    draft.logs = [...from.logs];
    draft.logFormat = from.logFormat;
    draft.uniqueIdFormat = from.uniqueIdFormat;
    draft.defaultBackend = from.defaultBackend;
    draft.balance = from.balance;
    draft.defaultServer = cloneServerDraft(from.defaultServer);
    draft.inspectDelayMs = from.inspectDelayMs;
    draft.checkOption = from.checkOption;
    draft.httpExpectStatus = from.httpExpectStatus;
    draft.tcpCheckSteps = [...from.tcpCheckSteps];
  }
  return draft;
}
