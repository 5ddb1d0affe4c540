// The frozen, typed model the configuration loader produces and the data path consumes
// (config → parse → resolve → validate → compile → run). Everything the per-connection path
// needs is decided here: compiled closures, resolved references, timeouts in milliseconds.
// The data path imports this file and never the config parser.
import type { SecureContext } from 'node:tls';
import type { SourcePos } from '../text/source.js';
import type { BindTlsModel } from './tls.js';
import type {
  CompiledExpression,
  CompiledCondition,
  CompiledLogFormat,
  CompiledTcpRule,
} from '../sample/compiled.js';

export type ProxyMode = 'tcp' | 'http';

/** All timeouts in milliseconds; undefined = not set (HAProxy: infinite, with a warning). */
export interface Timeouts {
  connect?: number;
  client?: number;
  server?: number;
  clientHs?: number;
  check?: number;
  tunnel?: number;
  clientFin?: number;
  serverFin?: number;
  queue?: number;
}

export interface LogTarget {
  /** 'stdout' | 'stderr' | a UDP syslog address (host:port). */
  kind: 'stdout' | 'stderr' | 'udp';
  address?: string;
  port?: number;
  facility: string;
  /** Only messages at this level or more severe are sent (HAProxy `log … <facility> [<level>]`). */
  level?: string;
  format?: 'rfc3164' | 'rfc5424' | 'raw' | 'short';
  pos: SourcePos;
}

export interface GlobalModel {
  maxconn?: number;
  nbthread?: number;
  pp2NeverSendLocal: boolean;
  logs: LogTarget[];
  /** `stats socket` lines: the runtime API (runtime-api/). */
  statsSockets: readonly StatsSocketModel[];
  /** `stats timeout`: a runtime API connection idle this long is closed (HAProxy's default 10 s). */
  statsTimeoutMs?: number;
  /** `stats maxconn`: concurrent runtime API connections per socket (HAProxy's default 10). */
  statsMaxconn?: number;
  hardStopAfterMs?: number;
  /** `master-worker`: a master process starts, restarts and reloads the workers (also `-W`). */
  masterWorker?: boolean;
}

/** Runtime API access levels, least privileged first (HAProxy's ACCESS_LVL_*). */
export type CliLevel = 'user' | 'operator' | 'admin';

export interface StatsSocketModel {
  /** A UNIX socket path, or a TCP address when `port` is set. */
  path?: string;
  host?: string;
  port?: number;
  /** `mode <octal>`: the UNIX socket file's permissions. */
  mode?: number;
  /** `level`: HAProxy's default is operator. */
  level: CliLevel;
  pos: SourcePos;
}

export interface BindModel {
  /** '' means every address (`*`, `:80`, `0.0.0.0`), as net.Server.listen's host. */
  host: string;
  port: number;
  /** '::' binds dual-stack unless v6only. */
  acceptProxy: boolean;
  name?: string;
  v4v6: boolean;
  v6only: boolean;
  /** `ssl` on the bind line: the handshake, after the PROXY header when accept-proxy is set. */
  tls?: BindTlsModel;
  pos: SourcePos;
}

export type ProxyV2Option =
  | 'ssl'
  | 'cert-cn'
  | 'ssl-cipher'
  | 'cert-sig'
  | 'cert-key'
  | 'authority'
  | 'crc32c'
  | 'unique-id';

export interface TlvFormat {
  type: number;
  format: CompiledLogFormat;
  pos: SourcePos;
}

export interface CheckModel {
  enabled: boolean;
  interMs: number;
  fastinterMs: number;
  downinterMs: number;
  rise: number;
  fall: number;
  /** Check address/port when they differ from the server's (`addr`, `port`). */
  addr?: string;
  port?: number;
  /** Whether checks send a PROXY header (inherited from send-proxy*, or check-send-proxy). */
  sendProxy: boolean;
  /** Checks over TLS (`check-ssl`, or inherited from `ssl` without addr/port), else absent. */
  tls?: ServerTlsModel;
}

/**
 * TLS to a server (`server … ssl`): everything file- or option-based is already in the
 * SecureContext, built at load time (a broken certificate or CA file is an alert then, never
 * a failure per connection).
 */
export interface ServerTlsModel {
  readonly secureContext: SecureContext;
  /** `verify required`: the chain must verify against ca-file, and the name (below) match. */
  readonly verify: boolean;
  /** `sni <expr>`: evaluated per session; its value is sent as SNI (traffic only). */
  readonly sni?: CompiledExpression;
  /** Name the certificate must carry (`verifyhost`; else the SNI sent, as HAProxy). */
  readonly verifyHost?: string;
  /** `check-sni`: the SNI of health checks. */
  readonly fixedSni?: string;
  readonly alpn?: readonly string[];
  /**
   * `ssl-reuse` (HAProxy's default): each connection offers the TLS session of the last one
   * to this server (same SNI), so it resumes instead of a full handshake. Checks: never.
   */
  readonly reuse: boolean;
}

export type CheckKind =
  | { kind: 'tcp' }
  | { kind: 'tcp-check'; steps: TcpCheckStep[] }
  | { kind: 'httpchk'; method: string; uri: string; version: string; expectStatus?: string };

export type TcpCheckStep =
  | { kind: 'connect'; port?: number; sendProxy: boolean }
  | { kind: 'send'; data: Buffer }
  | { kind: 'expect-string'; text: string; negate: boolean }
  | { kind: 'expect-rstring'; pattern: RegExp; negate: boolean };

export interface ServerModel {
  name: string;
  host: string;
  port: number;
  weight: number;
  backup: boolean;
  disabled: boolean;
  maxconn?: number;
  /** Which PROXY header to send: none, v1 (`send-proxy`) or v2 (`send-proxy-v2*`; v2 wins). */
  sendProxy: 'none' | 'v1' | 'v2';
  proxyV2Options: ReadonlySet<ProxyV2Option>;
  tlvFormats: readonly TlvFormat[];
  /** TLS to the server (`ssl`): the PROXY header, if any, is sent in clear before the handshake. */
  tls?: ServerTlsModel;
  check: CheckModel;
  pos: SourcePos;
}

export type BalanceAlgorithm = 'roundrobin' | 'static-rr' | 'leastconn' | 'source' | 'first' | 'random';

export interface BackendModel {
  name: string;
  mode: ProxyMode;
  balance: BalanceAlgorithm;
  servers: readonly ServerModel[];
  timeouts: Timeouts;
  retries: number;
  redispatch: boolean;
  /** `option redispatch <interval>` (HAProxy's redispatch_after); undefined = -1, the last retry. */
  redispatchInterval?: number;
  maxconn?: number;
  checkKind: CheckKind;
  /** Format for the UNIQUE_ID TLV (`proxy-v2-options unique-id`) — the frontend's unique-id-format applies. */
  pos: SourcePos;
}

/** `use_backend`: the backend is resolved at load time — a reference, never a name to look up. */
export interface UseBackendRule {
  backend: BackendModel;
  condition: CompiledCondition;
  pos: SourcePos;
}

/** One `stats auth <user>:<pass>` line (HAProxy's stats page: Basic authentication). */
export interface StatsUser {
  user: string;
  password: string;
}

/** The stats page of a `mode http` frontend/listen (`stats enable`, `stats uri`, …). */
export interface StatsPageModel {
  /** `stats uri`: a prefix of the request URI (HAProxy's default `/haproxy?stats`). */
  uri: string;
  /** `stats refresh`: the page reloads itself this often; undefined = never. */
  refreshMs?: number;
  /** `stats realm` (Basic authentication realm). */
  realm: string;
  /** `stats auth` lines; empty = no authentication. */
  users: readonly StatsUser[];
  /** `stats admin if|unless <cond>`: the page offers server actions when it holds. */
  admin?: CompiledCondition;
  /** `stats hide-version`. */
  hideVersion: boolean;
  pos: SourcePos;
}

/** `http-request use-service <name> [if|unless <cond>]` (only prometheus-exporter exists). */
export interface UseServiceRule {
  service: 'prometheus-exporter';
  condition: CompiledCondition;
  pos: SourcePos;
}

/**
 * What a `mode http` frontend/listen serves. truehop parses HTTP only for these built-in
 * services: such a frontend has no backend, every request goes to one of them (or is refused
 * with HAProxy's 503 when none matches).
 */
export interface HttpServicesModel {
  stats?: StatsPageModel;
  useServices: readonly UseServiceRule[];
}

export interface FrontendModel {
  name: string;
  mode: ProxyMode;
  binds: readonly BindModel[];
  timeouts: Timeouts;
  maxconn?: number;
  /** Resolved at load time (a listen without default_backend is its own backend). */
  defaultBackend?: BackendModel;
  useBackends: readonly UseBackendRule[];
  tcpRequest: {
    connection: readonly CompiledTcpRule[];
    session: readonly CompiledTcpRule[];
    content: readonly CompiledTcpRule[];
    inspectDelayMs?: number;
  };
  /** undefined: no `log` lines apply; the data path then logs nothing per connection. */
  logs: readonly LogTarget[];
  /** Per-connection log format: `log-format`, else tcplog/httplog defaults compiled by the loader. */
  logFormat?: CompiledLogFormat;
  uniqueIdFormat?: CompiledLogFormat;
  /** Present exactly when `mode http`: the requests go to these services, never to a backend. */
  services?: HttpServicesModel;
  pos: SourcePos;
}

export interface TruehopModel {
  global: GlobalModel;
  /** `listen` sections appear in both maps under their name. */
  frontends: ReadonlyMap<string, FrontendModel>;
  backends: ReadonlyMap<string, BackendModel>;
}
