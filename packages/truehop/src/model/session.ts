// What the data path knows about one client session, handed to compiled expressions
// (fetches, ACLs, rules, log formats). The data path fills it; the expression engine only
// reads it (and writes variables). Kept as a plain object with fixed shape so the
// per-connection path stays monomorphic.
import type { ProxyHeader } from '@truehop/proxy-protocol';
import type { X509Certificate } from 'node:crypto';
import type { Sample } from '../sample/types.js';
import type { TlsCertificate } from './tls.js';

/** Where a rule or expression runs, in HAProxy's evaluation order. */
export type Phase = 'connection' | 'session' | 'content' | 'http-request' | 'backend';

export const PHASE_ORDER: Readonly<Record<Phase, number>> = {
  connection: 0,
  session: 1,
  content: 2,
  // Only frontends in `mode http` (the stats page and the exporter) reach it: a request parsed.
  'http-request': 3,
  backend: 4,
};

export interface Endpoint {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

export interface SessionContext {
  /** The real TCP peer (fc_src/fc_src_port): the proxy when a PROXY header was received. */
  readonly realClient: Endpoint;
  /** The real local endpoint the client connected to (fc_dst/fc_dst_port). */
  readonly realLocal: Endpoint;
  /** The PROXY header received on this connection, if any (fc_rcvd_proxy, fc_pp_tlv…). */
  proxyHeader: ProxyHeader | null;
  /**
   * The addresses `src`/`dst` report after the header: the advertised ones when the header
   * carries addresses, else the real ones. Set by the data path once the header is read.
   */
  client: Endpoint | null;
  local: Endpoint | null;
  /** Current evaluation point: `src` inside `tcp-request connection` sees the real peer. */
  phase: Phase;
  /** Connection error code name (fc_err_name, e.g. 'PRX_BAD_HDR'), null when none. */
  errorCode: string | null;
  readonly frontendName: string;
  backendName: string | null;
  serverName: string | null;
  /**
   * Variables of scopes sess/txn/req/res for this session, made by the first write (null until
   * then: most sessions never set one, and an empty Map per session is memory an idle session
   * keeps); `proc` lives in procVars.
   */
  vars: Map<string, Sample> | null;
  readonly procVars: Map<string, Sample>;
  /** Accept time, ms since the epoch (for `date`, log `%t`). */
  readonly acceptedAtMs: number;
  /** The unique id computed from unique-id-format, when configured. */
  uniqueId: string | null;
  /** Local end of the connection to the server (log-format %bi/%bp), once connected. */
  backendLocal: Endpoint | null;
  /** Address of the server connected to (log-format %si/%sp), once connected. */
  serverAddress: Endpoint | null;
  /**
   * The path of the HTTP request being evaluated (`path`), in a `mode http` service frontend
   * only; null everywhere else (truehop forwards other traffic as TCP streams).
   */
  httpPath: string | null;
  /**
   * Client bytes received before the backend is chosen, as one view (req.len, req.payload,
   * req.ssl_*): set by the data path before each evaluation of `tcp-request content` rules.
   */
  request: Buffer;
  /**
   * No more request bytes will come before the decision (HAProxy's SMP_OPT_FINAL): the
   * inspect-delay expired, the inspection buffer is full, the client ended, or there is no
   * inspect-delay. A payload fetch short of bytes then gives no sample instead of waiting.
   */
  requestFinal: boolean;
  /** Set by a payload fetch whose answer may change with more bytes (SMP_F_MAY_CHANGE). */
  requestMayChange: boolean;
  /** Set by an ACL test that failed on an answer that may change: its rule waits (ACL_TEST_MISS). */
  requestMiss: boolean;
  /** What the TLS handshake negotiated, on an `ssl` bind once it completed; null otherwise. */
  tls: TlsSession | null;
  /** Timings and counters for log-format aliases (%Tw %Tc %Tt %B %U %ts %ac %fc %bc %sc %rc). */
  readonly stats: SessionStats;
}

export interface SessionStats {
  /** Time waiting in queue, ms (-1 when never queued to completion). */
  queueMs: number;
  /** Time to connect to the server, ms (-1 when no connection). */
  connectMs: number;
  /** Total session time, ms (set at the end). */
  totalMs: number;
  /** Bytes sent to the client (server → client). */
  bytesToClient: number;
  /** Bytes received from the client (client → server). */
  bytesFromClient: number;
  /** Termination state, two characters (HAProxy %ts), e.g. '--', 'CD', 'SC'. */
  terminationState: string;
  /** Connection retries. */
  retries: number;
  /** A retry went to another server (option redispatch): HAProxy's `+` before %rc. */
  redispatched: boolean;
  /** Concurrent connections at log time: process, frontend, backend, server. */
  activeConns: number;
  frontendConns: number;
  backendConns: number;
  serverConns: number;
}

/** What a client connection's TLS handshake negotiated (ssl_fc_*, ssl_c_*, the SSL TLV). */
export interface TlsSession {
  /** OpenSSL's SSL_get_version text, e.g. 'TLSv1.3'. */
  readonly protocol: string;
  /** OpenSSL's cipher name (SSL_get_cipher_name), e.g. 'TLS_AES_256_GCM_SHA384'. */
  readonly cipher: string;
  readonly sni: string | null;
  readonly alpn: string | null;
  /** The certificate we presented (the SSL TLV's cert-sig and cert-key describe it, as HAProxy). */
  readonly certificate: TlsCertificate;
  /** The client's certificate, when one is part of the session (sent now or in the resumed session). */
  readonly peerCertificate: X509Certificate | null;
  /** The client sent its certificate in this very handshake (not a resumed session). */
  readonly peerCertificateThisConnection: boolean;
  /** OpenSSL's X509_V_* verify result (0 = ok), as ssl_c_verify and the SSL TLV report it. */
  readonly verifyResult: number;
}
