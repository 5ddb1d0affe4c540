// Health-check keywords of proxies: `option httpchk`, `http-check expect status`,
// `option tcp-check` and `tcp-check connect|send|send-binary|expect` (HAProxy manual §4.2,
// src/tcpcheck.c). They fill BackendModel.checkKind, which the health checker runs; a
// `tcp-check connect … send-proxy` step is how a check sends PROXY per connect rule (§4.8).
import { Buffer } from 'node:buffer';
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { Word } from '../../../text/source.js';
import { BACKEND_SECTIONS } from '../keyword.js';
import type { ProxyKeyword } from './proxy-keyword.js';
import { parseUnsigned } from '../../../text/integer.js';
import { suggestion } from '../../../text/did-you-mean.js';
import type { TcpCheckStep } from '../../../model/config-model.js';

/** `http-check expect status`: one code, a range, or a comma-separated list of both. */
const STATUS_LIST = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;
/** Longest payload of one `tcp-check send`: a check is a probe, not a transfer. */
export const MAX_TCP_CHECK_SEND_BYTES = 16 * 1024;
/** Regexes come from the config author, but a pathological one would stall every check. */
const MAX_REGEX_CHARS = 1024;
const TCP_CHECK_ACTIONS = ['connect', 'send', 'send-binary', 'expect'];
const TCP_CHECK_NOT_YET = ['comment', 'send-lf', 'send-binary-lf', 'set-var', 'set-var-fmt', 'unset-var'];
const CONNECT_NOT_YET = ['addr', 'ssl', 'sni', 'alpn', 'linger', 'via-socks4', 'proto', 'default', 'comment', 'send-proxy-v2'];
const EXPECT_NOT_YET = ['binary', 'rbinary', 'string-lf', 'binary-lf'];

function extra(args: readonly Word[], n: number, kw: Word, sink: DiagnosticSink): boolean {
  const e = args[n];
  if (e) sink.alert(e.pos, 'EXTRA_ARGUMENT', `'${kw.text}' cannot handle unexpected argument '${e.text}'`);
  return e !== undefined;
}

function parseConnect(args: readonly Word[], kw: Word, sink: DiagnosticSink): TcpCheckStep | undefined {
  const step: { kind: 'connect'; port?: number; sendProxy: boolean } = { kind: 'connect', sendProxy: false };
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as Word;
    if (w.text === 'port') {
      const v = args[i + 1];
      const n = v ? parseUnsigned(v.text, 65535) : undefined;
      if (!v || n === undefined || n === 0) {
        sink.alert((v ?? w).pos, 'BAD_PORT', "'tcp-check connect port' expects a port between 1 and 65535");
        return undefined;
      }
      step.port = n;
      i++;
    } else if (w.text === 'send-proxy') {
      step.sendProxy = true;
    } else if (CONNECT_NOT_YET.includes(w.text)) {
      sink.alert(w.pos, 'NOT_SUPPORTED_YET', `'tcp-check connect ${w.text}' is not supported by truehop yet`);
      return undefined;
    } else {
      sink.alert(w.pos, 'UNKNOWN_KEYWORD', `unknown '${kw.text} connect' option '${w.text}'${suggestion(w.text, ['port', 'send-proxy'])}`);
      return undefined;
    }
  }
  return step;
}

function parseExpect(args: readonly Word[], kw: Word, sink: DiagnosticSink): TcpCheckStep | undefined {
  let i = 0;
  let negate = false;
  if (args[0]?.text === '!') {
    negate = true;
    i = 1;
  }
  const how = args[i];
  const value = args[i + 1];
  if (!how || !value) {
    sink.alert((how ?? kw).pos, 'MISSING_ARGUMENT', "'tcp-check expect' expects [!] string|rstring <pattern>");
    return undefined;
  }
  if (extra(args, i + 2, kw, sink)) return undefined;
  if (how.text === 'string') return { kind: 'expect-string', text: value.text, negate };
  if (how.text === 'rstring') {
    if (value.text.length > MAX_REGEX_CHARS) {
      sink.alert(value.pos, 'BAD_VALUE', `regex longer than ${MAX_REGEX_CHARS} characters`);
      return undefined;
    }
    try {
      return { kind: 'expect-rstring', pattern: new RegExp(value.text), negate };
    } catch (err) {
      sink.alert(value.pos, 'BAD_VALUE', `invalid regex '${value.text}': ${(err as Error).message}`);
      return undefined;
    }
  }
  if (EXPECT_NOT_YET.includes(how.text) || how.text === 'status' || how.text === 'rstatus') {
    sink.alert(how.pos, 'NOT_SUPPORTED_YET', `'tcp-check expect ${how.text}' is not supported by truehop yet`);
    return undefined;
  }
  sink.alert(how.pos, 'UNKNOWN_KEYWORD', `unknown 'tcp-check expect' match '${how.text}'${suggestion(how.text, ['string', 'rstring'])}`);
  return undefined;
}

export const CHECK_KEYWORDS: readonly ProxyKeyword[] = [
  {
    name: 'option httpchk',
    syntax: '[<method> <uri> [<version>]] | <uri>',
    summary: 'health checks send an HTTP request (default OPTIONS / HTTP/1.0); 2xx/3xx pass unless http-check expect says otherwise',
    status: 'supported',
    sections: BACKEND_SECTIONS,
    misplaced: 'warning',
    // Not negatable: HAProxy refuses `no option httpchk` ("negation/default is not supported").
    apply({ proxy, sink }, args, kw) {
      if (extra(args, 3, kw, sink)) return;
      let method = 'OPTIONS';
      let uri = '/';
      let version = 'HTTP/1.0';
      if (args.length === 1) uri = (args[0] as Word).text;
      else if (args.length >= 2) {
        method = (args[0] as Word).text;
        uri = (args[1] as Word).text;
        if (args[2]) version = args[2].text;
      }
      if (!/^[A-Za-z]+$/.test(method)) return sink.alert((args[0] as Word).pos, 'BAD_VALUE', `invalid HTTP method '${method}'`);
      proxy.checkOption = { kind: 'httpchk', method, uri, version, pos: kw.pos };
    },
  },
  {
    name: 'http-check',
    syntax: 'expect [!] status <code>[-<code>][,…]',
    summary: 'the HTTP status codes a health check must get (with option httpchk)',
    status: 'supported',
    sections: BACKEND_SECTIONS,
    misplaced: 'warning',
    apply({ proxy, sink }, args, kw) {
      const action = args[0];
      if (!action) return sink.alert(kw.pos, 'MISSING_ARGUMENT', "'http-check' expects 'expect status <codes>'");
      if (action.text !== 'expect') {
        if (['send', 'connect', 'comment', 'send-state', 'disable-on-404', 'set-var', 'unset-var'].includes(action.text)) {
          return sink.alert(action.pos, 'NOT_SUPPORTED_YET', `'http-check ${action.text}' is not supported by truehop yet`);
        }
        return sink.alert(action.pos, 'UNKNOWN_KEYWORD', `unknown 'http-check' action '${action.text}'${suggestion(action.text, ['expect'])}`);
      }
      const how = args[1];
      if (how?.text === '!') return sink.alert(how.pos, 'NOT_SUPPORTED_YET', "negated 'http-check expect' is not supported by truehop yet");
      if (!how || how.text !== 'status') {
        return sink.alert((how ?? action).pos, 'NOT_SUPPORTED_YET', `'http-check expect ${how?.text ?? ''}' is not supported by truehop yet (only 'status <codes>')`);
      }
      const codes = args[2];
      if (!codes) return sink.alert(how.pos, 'MISSING_ARGUMENT', "'http-check expect status' expects <code>[-<code>][,…]");
      if (extra(args, 3, kw, sink)) return;
      if (!STATUS_LIST.test(codes.text)) return sink.alert(codes.pos, 'BAD_VALUE', `invalid status list '${codes.text}' (e.g. 200, 200-399, 200,204)`);
      proxy.httpExpectStatus = { text: codes.text, pos: kw.pos };
    },
  },
  {
    name: 'option tcp-check',
    syntax: '',
    summary: 'health checks run the tcp-check rules of the proxy',
    status: 'supported',
    sections: BACKEND_SECTIONS,
    misplaced: 'warning',
    // Not negatable, as in HAProxy.
    apply({ proxy, sink }, args, kw) {
      if (extra(args, 0, kw, sink)) return;
      proxy.checkOption = { kind: 'tcp-check', pos: kw.pos };
    },
  },
  {
    name: 'tcp-check',
    syntax: 'connect [port <port>] [send-proxy] | send <string> | send-binary <hex> | expect [!] string|rstring <pattern>',
    summary: 'one step of a tcp-check health check, in order (with option tcp-check)',
    status: 'supported',
    sections: BACKEND_SECTIONS,
    misplaced: 'warning',
    apply({ proxy, sink }, args, kw) {
      const action = args[0];
      if (!action) return sink.alert(kw.pos, 'MISSING_ARGUMENT', "'tcp-check' expects connect, send, send-binary or expect");
      const rest = args.slice(1);
      let step: TcpCheckStep | undefined;
      switch (action.text) {
        case 'connect':
          step = parseConnect(rest, kw, sink);
          break;
        case 'send':
        case 'send-binary': {
          const v = rest[0];
          if (!v) return sink.alert(action.pos, 'MISSING_ARGUMENT', `'tcp-check ${action.text}' expects data`);
          if (extra(rest, 1, kw, sink)) return;
          let data: Buffer;
          if (action.text === 'send') data = Buffer.from(v.text, 'latin1');
          else {
            if (!/^([0-9A-Fa-f]{2})*$/.test(v.text)) return sink.alert(v.pos, 'BAD_VALUE', `'tcp-check send-binary' expects an even number of hex digits, got '${v.text}'`);
            data = Buffer.from(v.text, 'hex');
          }
          if (data.length > MAX_TCP_CHECK_SEND_BYTES) return sink.alert(v.pos, 'BAD_VALUE', `'tcp-check ${action.text}' payload is larger than ${MAX_TCP_CHECK_SEND_BYTES} bytes`);
          step = { kind: 'send', data };
          break;
        }
        case 'expect':
          step = parseExpect(rest, kw, sink);
          break;
        default:
          if (TCP_CHECK_NOT_YET.includes(action.text)) return sink.alert(action.pos, 'NOT_SUPPORTED_YET', `'tcp-check ${action.text}' is not supported by truehop yet`);
          return sink.alert(action.pos, 'UNKNOWN_KEYWORD', `unknown 'tcp-check' action '${action.text}'${suggestion(action.text, TCP_CHECK_ACTIONS)}`);
      }
      if (step) proxy.tcpCheckSteps.push({ step, pos: kw.pos });
    },
  },
];
