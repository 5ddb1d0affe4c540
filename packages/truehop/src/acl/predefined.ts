// HAProxy's predefined ACLs (acl.c default_acl_list) that make sense for TCP.
import type { SourcePos } from '../text/source.js';
import type { NamedAcl } from '../sample/compile-env.js';
import { compileMatcher } from './match-methods.js';

const POS: SourcePos = { file: '<predefined>', line: 0, col: 0 };

const localhost = compileMatcher({ method: 'ip', ignoreCase: false, operator: undefined, patterns: ['127.0.0.1/8', '::1'] }).matcher;

export const PREDEFINED_ACLS: ReadonlyMap<string, NamedAcl> = new Map<string, NamedAcl>([
  ['TRUE', { name: 'TRUE', pos: POS, earliestPhase: 'connection', test: () => true }],
  ['FALSE', { name: 'FALSE', pos: POS, earliestPhase: 'connection', test: () => false }],
  ['LOCALHOST', {
    name: 'LOCALHOST', pos: POS, earliestPhase: 'connection',
    // src, advertised except in tcp-request connection (same rule as the `src` fetch).
    test: (ctx) => {
      const ep = ctx.phase === 'connection' ? ctx.realClient : (ctx.client ?? ctx.realClient);
      return localhost({ type: ep.family === 'IPv6' ? 'ipv6' : 'ipv4', value: ep.address });
    },
  }],
  // Waits until no more request bytes will come (inspect-delay expired, buffer full, client
  // ended), then is true: `tcp-request content accept if WAIT_END` (HAProxy acl.c).
  ['WAIT_END', {
    name: 'WAIT_END', pos: POS, earliestPhase: 'content',
    test: (ctx) => {
      if (ctx.requestFinal) return true;
      ctx.requestMiss = true;
      return false;
    },
  }],
]);

/** HAProxy predefined ACLs about HTTP or request buffers: known, not available in truehop yet. */
export const UNSUPPORTED_PREDEFINED: ReadonlySet<string> = new Set([
  'HTTP', 'HTTP_1.0', 'HTTP_1.1', 'HTTP_2.0', 'HTTP_3.0', 'HTTP_CONTENT', 'HTTP_URL_ABS', 'HTTP_URL_SLASH', 'HTTP_URL_STAR',
  'METH_CONNECT', 'METH_DELETE', 'METH_GET', 'METH_HEAD', 'METH_OPTIONS', 'METH_POST', 'METH_PUT', 'METH_TRACE',
  'RDP_COOKIE', 'REQ_CONTENT',
]);
