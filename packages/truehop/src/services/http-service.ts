// The HTTP side of a `mode http` service frontend: the socket a session hands over after its
// PROXY header (datapath/client-session.ts) is fed to one node:http server per frontend (Node's
// HTTP parser, never one of ours). Each request runs HAProxy's order (src/http_ana.c):
// `http-request use-service` rules first, then the stats URI, else HAProxy's 503. Every
// failure is HAProxy's error page and, for an unparsable or stalled request, a closed
// connection (http-errors.ts).
import { Buffer } from 'node:buffer';
import http from 'node:http';
import type net from 'node:net';
import type { FrontendModel, HttpServicesModel, StatsPageModel } from '../model/config-model.js';
import type { SessionContext } from '../model/session.js';
import { errorBody, errorReason, rawErrorResponse, type HttpErrorStatus } from './http-errors.js';
import { checkBasicAuth } from './basic-auth.js';
import { parseStatsUri, readActionForm, STATS_ACTION_STATUS, type StatsActionStatus, type StatsAction } from './stats-request.js';

/**
 * HAProxy's default buffer size (tune.bufsize): a request line plus headers larger than this
 * is refused with 400, so a client cannot make the service hold large headers per connection.
 */
export const MAX_REQUEST_HEADER_BYTES = 16384;
/** A POSTed stats action form is a few server names; more is refused (memory per connection). */
export const MAX_ACTION_BODY_BYTES = 16384;
/**
 * Idle and incomplete-request limit when the frontend sets no `timeout client` (HAProxy would
 * wait forever and warns; the config check warns too): a service connection never hangs.
 */
export const DEFAULT_SERVICE_TIMEOUT_MS = 30_000;

/** What the services show and do; built by the runtime from the live stats (runtime/services.ts). */
export interface ServiceContent {
  /** The exporter's text exposition (format 0.0.4). */
  metrics(): Promise<string>;
  /** The stats page in HTML. */
  statsHtml(view: StatsPageView): Promise<string>;
  /** `show stat`-style CSV (`;csv`). */
  statsCsv(): Promise<string>;
  /** A server action POSTed from the page (already authorised). */
  statsAction(action: StatsAction): Promise<StatsActionStatus>;
}

export interface StatsPageView {
  readonly page: StatsPageModel;
  /** `stats admin` holds for this request: the page shows the action forms. */
  readonly admin: boolean;
  /** The page's own URI (the stats prefix), for links and forms. */
  readonly uri: string;
  /** `;st=` status of the previous action, shown above the tables. */
  readonly status: StatsActionStatus | undefined;
  readonly refresh: boolean;
}

/** Requests, responses by class (HAProxy's http_responses_total{code}) and intercepted ones. */
export class HttpServiceCounters {
  requests = 0;
  intercepted = 0;
  /** 1xx, 2xx, 3xx, 4xx, 5xx, other. */
  readonly responses = [0, 0, 0, 0, 0, 0];
  count(status: number): void {
    const cls = Math.floor(status / 100);
    this.responses[cls >= 1 && cls <= 5 ? cls - 1 : 5]!++;
  }
}

const kCtx = Symbol('truehop.serviceCtx');
const kMark = Symbol('truehop.bytesAtIdle');
const kBusy = Symbol('truehop.requestsInFlight');
type ServiceSocket = net.Socket & { [kCtx]?: SessionContext; [kMark]?: number; [kBusy]?: number };

/** The path of a request target: origin form up to '?', absolute form from its first '/'. */
export function requestPath(url: string): string {
  let start = 0;
  if (!url.startsWith('/')) {
    const scheme = url.indexOf('://');
    if (scheme < 0) return '';
    start = url.indexOf('/', scheme + 3);
    if (start < 0) return '';
  }
  const q = url.indexOf('?', start);
  return q < 0 ? url.slice(start) : url.slice(start, q);
}

export class HttpServiceFrontend {
  readonly counters = new HttpServiceCounters();
  private readonly server: http.Server;
  private readonly services: HttpServicesModel;
  /** Open service connections, so a stop can close the idle keep-alive ones at once. */
  private readonly sockets = new Set<ServiceSocket>();
  private closing = false;

  constructor(
    private readonly model: FrontendModel,
    private readonly content: ServiceContent,
  ) {
    if (model.services === undefined) throw new Error(`frontend '${model.name}' has no services`);
    this.services = model.services;
    const timeoutMs = model.timeouts.client ?? DEFAULT_SERVICE_TIMEOUT_MS;
    this.server = http.createServer({ maxHeaderSize: MAX_REQUEST_HEADER_BYTES, keepAliveTimeout: timeoutMs }, (req, res) => {
      this.onRequest(req, res).catch(() => {
        if (!res.headersSent) this.sendError(res, 500);
        else res.destroy();
      });
    });
    // Node's request/header timers need server.listen(), which these servers never call: the
    // socket's idle timer does the job (HAProxy: 408 for an incomplete request, else a close).
    this.server.setTimeout(timeoutMs, (socket: ServiceSocket) => {
      const pending = socket.bytesRead > (socket[kMark] ?? 0);
      if (pending && socket.writable) socket.end(rawErrorResponse(408));
      socket.destroy();
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
      this.counters.count(400);
      if (socket.writable && err.code !== 'ECONNRESET') socket.end(rawErrorResponse(400));
      socket.destroy();
    });
  }

  /**
   * Takes over a session's socket once its PROXY header (if any) was read: `pending` holds the
   * bytes that came after the header, handed back to the stream for the HTTP parser.
   */
  serve(socket: net.Socket, ctx: SessionContext, pending: readonly Buffer[]): void {
    const s = socket as ServiceSocket;
    s[kCtx] = ctx;
    s[kMark] = socket.bytesRead;
    s[kBusy] = 0;
    this.sockets.add(s);
    socket.once('close', () => this.sockets.delete(s));
    socket.pause();
    if (pending.length > 0) socket.unshift(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
    this.server.emit('connection', socket);
    socket.resume();
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const socket = req.socket as ServiceSocket;
    const ctx = socket[kCtx];
    if (ctx === undefined) return this.sendError(res, 500);
    this.counters.requests++;
    socket[kBusy] = (socket[kBusy] ?? 0) + 1;
    res.on('finish', () => {
      socket[kMark] = socket.bytesRead;
      socket[kBusy] = (socket[kBusy] ?? 1) - 1;
      this.counters.count(res.statusCode);
      if (this.closing && socket[kBusy] === 0) socket.end();
    });
    const url = req.url ?? '';
    ctx.httpPath = requestPath(url);
    ctx.phase = 'http-request';
    for (const rule of this.services.useServices) {
      if (rule.condition.test(ctx)) {
        this.counters.intercepted++;
        return this.sendMetrics(req, res);
      }
    }
    const stats = this.services.stats;
    if (stats !== undefined && parseStatsUri(stats.uri, url, req.method ?? '') !== undefined) {
      this.counters.intercepted++;
      return this.serveStats(stats, ctx, req, res);
    }
    return this.sendError(res, 503);
  }

  private async sendMetrics(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await this.content.metrics();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private async serveStats(page: StatsPageModel, ctx: SessionContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (page.users.length > 0 && !checkBasicAuth(req.headers.authorization, page.users)) {
      return this.sendError(res, 401, { 'www-authenticate': `Basic realm="${page.realm.replace(/["\\]/g, '')}"` });
    }
    const target = parseStatsUri(page.uri, req.url ?? '', req.method ?? '');
    if (target === undefined) return this.sendError(res, 503);
    const admin = page.admin?.test(ctx) ?? false;
    if (req.method === 'POST') {
      let status: StatsActionStatus;
      // HAProxy refuses a POST whose Origin/Referer names another site (CSRF), and any POST
      // when `stats admin` does not hold.
      if (!admin || !sameOrigin(req)) status = STATS_ACTION_STATUS.DENY;
      else {
        const form = await readActionForm(req, MAX_ACTION_BODY_BYTES);
        if (form === 'too-large') return this.sendError(res, 400, { connection: 'close' });
        status = form === undefined ? STATS_ACTION_STATUS.ERRP : await this.content.statsAction(form);
      }
      res.writeHead(303, { location: `${page.uri};st=${status}`, 'cache-control': 'no-cache', 'content-length': '0' });
      return void res.end();
    }
    if (target.csv) {
      const body = await this.content.statsCsv();
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache' });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    const refresh = page.refreshMs !== undefined && !target.noRefresh;
    const html = await this.content.statsHtml({ page, admin, uri: page.uri, status: target.status, refresh });
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/html', 'cache-control': 'no-cache' };
    if (refresh && page.refreshMs !== undefined) headers.refresh = String(Math.max(1, Math.round(page.refreshMs / 1000)));
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : html);
  }

  private sendError(res: http.ServerResponse, status: HttpErrorStatus, extra: http.OutgoingHttpHeaders = {}): void {
    const body = errorBody(status);
    res.writeHead(status, errorReason(status), { 'content-type': 'text/html', 'cache-control': 'no-cache', 'content-length': Buffer.byteLength(body), ...extra });
    res.end(body);
  }

  /** On stop: idle keep-alive connections close now, busy ones after their response. */
  close(): void {
    this.closing = true;
    for (const s of this.sockets) if ((s[kBusy] ?? 0) === 0) s.destroy();
  }
}

/** HAProxy's stats_check_same_origin: no Origin/Referer (a script) passes; else its host must be ours. */
function sameOrigin(req: http.IncomingMessage): boolean {
  const source = req.headers.origin ?? req.headers.referer;
  if (source === undefined) return true;
  const host = req.headers.host;
  if (host === undefined) return false;
  try {
    return new URL(source).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
