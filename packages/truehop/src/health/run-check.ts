// Runs one health check of one server and returns its verdict; never throws, never leaves a
// socket open. Three kinds (BackendModel.checkKind): a plain TCP connect, `option tcp-check`
// rules, and `option httpchk`.
//
// Time limits, as HAProxy applies them (configuration.txt, `timeout check`):
//  * without `timeout check`, the whole check (connect + answer) must finish within `inter`;
//  * with it, connecting may take min(`timeout connect`, `inter`), then the answer gets
//    `timeout check` from the moment the connection is up.
// So a server that accepts and then never answers costs one bounded wait, not a stuck check.
import type { Tlv } from '@truehop/proxy-protocol';
import type { BackendModel, CheckKind, GlobalModel, ServerModel, TcpCheckStep } from '../model/config-model.js';
import type { Endpoint } from '../model/session.js';
import type { Sample } from '../sample/types.js';
import { encodeCheckHeader } from './check-header.js';
import { checkSessionContext } from './check-session.js';
import { checkResult, describeSocketError, isResolutionError } from './check-status.js';
import type { CheckResult } from './check-status.js';
import { CheckConversation, connectForCheck, monotonicMs, secureForCheck } from './check-connection.js';
import type { CheckSockets } from './check-connection.js';
import { buildHttpCheckRequest, compileStatusExpectation, parseStatusLine, responseHeadComplete } from './http-check.js';

export interface CheckRun {
  global: GlobalModel;
  backend: BackendModel;
  server: ServerModel;
  sockets: CheckSockets;
  /** `proc.*` variables visible to TLV formats. */
  procVars: Map<string, Sample>;
  /** Wall clock for the SessionContext handed to TLV formats. */
  wallNow: () => number;
}

export interface Deadlines {
  /** Deadline for a connect that starts now. */
  connect(): number;
  /** Deadline for the answer once a connection is up (called right after connecting). */
  answer(): number;
}

/** The two deadlines of a check that started at `start` (monotonic ms); see the file comment. */
export function checkDeadlines(
  interMs: number,
  timeouts: { check?: number; connect?: number },
  start: number,
  now: () => number = monotonicMs,
): Deadlines {
  const { check, connect } = timeouts;
  return {
    connect: () => (check !== undefined && connect !== undefined ? now() + Math.min(interMs, connect) : start + interMs),
    answer: () => (check !== undefined ? now() + check : start + interMs),
  };
}

/** Where checks connect: `addr`/`port` on the server line when given, else the server. */
function checkTarget(server: ServerModel, port?: number): { host: string; port: number } {
  return { host: server.check.addr ?? server.host, port: port ?? server.check.port ?? server.port };
}

type Opened = { kind: 'open'; conversation: CheckConversation } | { kind: 'failed'; result: CheckResult };

/**
 * Connects and, when asked, writes the PROXY header first (§4.8): the header is built from
 * this very connection's addresses, so it can only be encoded once connected.
 */
async function open(
  run: CheckRun,
  start: number,
  limits: Deadlines,
  target: { host: string; port: number },
  sendProxy: boolean,
  where: string,
  /** The check's own connection (not an explicit `tcp-check connect`): TLS with check-ssl. */
  secure: boolean,
): Promise<Opened> {
  const outcome = await connectForCheck(target, limits.connect(), run.sockets);
  const elapsed = (): number => monotonicMs() - start;
  if (outcome.kind === 'timeout') {
    return { kind: 'failed', result: checkResult('L4TOUT', elapsed(), where === '' ? {} : { info: ` at ${where}` }) };
  }
  if (outcome.kind === 'error') {
    const text = describeSocketError(outcome.error);
    const info = where === '' ? text : `${text} at ${where}`;
    return { kind: 'failed', result: checkResult(isResolutionError(outcome.error) ? 'SOCKERR' : 'L4CON', elapsed(), { info }) };
  }
  if (sendProxy) {
    let header: Buffer;
    try {
      header = buildHeader(run, outcome.local, outcome.peer);
    } catch (error) {
      new CheckConversation(outcome.socket).close();
      const message = error instanceof Error ? error.message : String(error);
      return { kind: 'failed', result: checkResult('SOCKERR', elapsed(), { info: `cannot build the PROXY header: ${message}` }) };
    }
    // In clear, before any TLS handshake (as HAProxy sends it).
    if (!outcome.socket.destroyed) outcome.socket.write(header);
  }
  const tlsModel = secure ? run.server.check.tls : undefined;
  if (tlsModel === undefined) return { kind: 'open', conversation: new CheckConversation(outcome.socket) };
  const secured = await secureForCheck(outcome.socket, tlsModel, limits.connect(), run.sockets);
  if (secured.kind === 'timeout') return { kind: 'failed', result: checkResult('L6TOUT', elapsed(), where === '' ? {} : { info: ` at ${where}` }) };
  if (secured.kind === 'error') {
    outcome.socket.destroy();
    // HAProxy's words, whatever the cause (a plain server, an unknown CA, a wrong name).
    return { kind: 'failed', result: checkResult('L6RSP', elapsed(), { info: `SSL handshake failure${where === '' ? '' : ` at ${where}`}` }) };
  }
  return { kind: 'open', conversation: new CheckConversation(secured.socket) };
}

function buildHeader(run: CheckRun, local: Endpoint, peer: Endpoint): Buffer {
  const { server } = run;
  const version = server.sendProxy === 'v2' ? 2 : 1;
  let userTlvs: Tlv[] = [];
  if (version === 2 && server.tlvFormats.length > 0) {
    const ctx = checkSessionContext({
      backend: run.backend.name,
      server: server.name,
      local,
      peer,
      startedAtMs: run.wallNow(),
      procVars: run.procVars,
    });
    userTlvs = server.tlvFormats.map((tlv) => ({ type: tlv.type, value: tlv.format.render(ctx) }));
  }
  return encodeCheckHeader({
    version,
    neverSendLocal: run.global.pp2NeverSendLocal,
    options: server.proxyV2Options,
    userTlvs,
    local,
    peer,
  });
}

/** Runs the check configured for `run.server`; resolves with its verdict. */
export async function runCheck(run: CheckRun): Promise<CheckResult> {
  const start = monotonicMs();
  const limits = checkDeadlines(run.server.check.interMs, run.backend.timeouts, start);
  const kind = run.backend.checkKind;
  try {
    switch (kind.kind) {
      case 'tcp':
        return await runTcpConnect(run, start, limits);
      case 'httpchk':
        return await runHttpCheck(run, start, limits, kind);
      case 'tcp-check':
        return await runTcpCheck(run, start, limits, kind.steps);
    }
  } catch (error) {
    // Defensive: a bug in a check must mark the check failed, not crash the daemon.
    return checkResult('SOCKERR', monotonicMs() - start, { info: describeSocketError(error) });
  }
}

async function runTcpConnect(run: CheckRun, start: number, limits: Deadlines): Promise<CheckResult> {
  const opened = await open(run, start, limits, checkTarget(run.server), run.server.check.sendProxy, '', true);
  if (opened.kind === 'failed') return opened.result;
  opened.conversation.close();
  // A connect-only check over TLS passed layer 6: the handshake (HAProxy's L6OK).
  return checkResult(run.server.check.tls === undefined ? 'L4OK' : 'L6OK', monotonicMs() - start);
}

async function runHttpCheck(
  run: CheckRun,
  start: number,
  limits: Deadlines,
  kind: Extract<CheckKind, { kind: 'httpchk' }>,
): Promise<CheckResult> {
  const opened = await open(run, start, limits, checkTarget(run.server), run.server.check.sendProxy, '', true);
  if (opened.kind === 'failed') return opened.result;
  const conversation = opened.conversation;
  try {
    conversation.write(buildHttpCheckRequest(kind));
    const waited = await conversation.until(() => responseHeadComplete(conversation.received), limits.answer());
    const elapsed = monotonicMs() - start;
    if (waited === 'timeout') return checkResult('L7TOUT', elapsed);
    const status = parseStatusLine(conversation.received);
    if (status === null) return checkResult('L7RSP', elapsed);
    const expectation = compileStatusExpectation(kind.expectStatus);
    if (expectation === null) {
      return checkResult('L7RSP', elapsed, { info: `invalid expected status list '${kind.expectStatus ?? ''}'` });
    }
    if (expectation(status.code)) return checkResult('L7OK', elapsed, { code: status.code });
    return checkResult('L7STS', elapsed, { code: status.code, info: status.reason });
  } finally {
    conversation.close();
  }
}

function describeExpect(step: Extract<TcpCheckStep, { kind: 'expect-string' | 'expect-rstring' }>): string {
  return step.kind === 'expect-string' ? `expect string '${step.text}'` : 'expect regex';
}

function describeContent(step: Extract<TcpCheckStep, { kind: 'expect-string' | 'expect-rstring' }>): string {
  return step.kind === 'expect-string' ? `'${step.text}'` : '(regex)';
}

async function runTcpCheck(run: CheckRun, start: number, limits: Deadlines, steps: readonly TcpCheckStep[]): Promise<CheckResult> {
  let conversation: CheckConversation | null = null;
  let talked = false;
  try {
    // HAProxy opens an implicit connection when the rules do not start with `connect`; only
    // that implicit one inherits the server's send-proxy (observed on 2.6: an explicit
    // `tcp-check connect` sends a header only with its own `send-proxy`).
    if (steps[0]?.kind !== 'connect') {
      const opened = await open(run, start, limits, checkTarget(run.server), run.server.check.sendProxy, 'initial connection step of tcp-check', true);
      if (opened.kind === 'failed') return opened.result;
      conversation = opened.conversation;
    }
    let answerDeadline = limits.answer();
    for (const [index, step] of steps.entries()) {
      const where = `step ${index + 1} of tcp-check`;
      const elapsed = (): number => monotonicMs() - start;
      if (step.kind === 'connect') {
        conversation?.close();
        conversation = null;
        const opened = await open(run, start, limits, checkTarget(run.server, step.port), step.sendProxy, `${where} (connect)`, false);
        if (opened.kind === 'failed') return opened.result;
        conversation = opened.conversation;
        answerDeadline = limits.answer();
        continue;
      }
      if (conversation === null) return checkResult('SOCKERR', elapsed(), { info: `no connection at ${where}` });
      talked = true;
      if (step.kind === 'send') {
        // A send starts a new exchange: the expects that follow judge the answer to it,
        // not a banner or an earlier reply still in the buffer.
        conversation.clear();
        conversation.write(step.data);
        continue;
      }
      const current = conversation;
      const matches =
        step.kind === 'expect-string'
          ? (): boolean => current.received.includes(step.text)
          : (): boolean => {
              step.pattern.lastIndex = 0;
              return step.pattern.test(current.received.toString('latin1'));
            };
      const waited = await current.until(matches, answerDeadline);
      if (waited === 'timeout') return checkResult('L7TOUT', elapsed(), { info: ` at ${where} (${describeExpect(step)})` });
      const found = waited === 'ready';
      if (step.negate) {
        if (found) {
          return checkResult('L7RSP', elapsed(), { info: `TCPCHK matched unwanted content ${describeContent(step)} at step ${index + 1}` });
        }
      } else if (!found) {
        return checkResult('L7RSP', elapsed(), { info: `TCPCHK did not match content ${describeContent(step)} at step ${index + 1}` });
      }
    }
    const elapsed = monotonicMs() - start;
    return talked ? checkResult('L7OK', elapsed, { code: 0, info: '(tcp-check)' }) : checkResult('L4OK', elapsed);
  } finally {
    conversation?.close();
  }
}
