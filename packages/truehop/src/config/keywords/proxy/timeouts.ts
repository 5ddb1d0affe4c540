// `timeout <name> <time>` keywords of proxy sections (HAProxy manual §4.2 "timeout …").
import type { ProxySectionKind } from '../keyword.js';
import { BACKEND_SECTIONS, FRONTEND_SECTIONS } from '../keyword.js';
import { parseTime } from '../../../text/time.js';
import type { Timeouts } from '../../../model/config-model.js';
import type { ProxyKeyword } from './proxy-keyword.js';
import { need, tooMany } from './proxy-keyword.js';

function timeout(
  which: keyof Timeouts,
  sections: readonly ProxySectionKind[],
  summary: string,
): ProxyKeyword {
  const name = `timeout ${which.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return {
    name,
    syntax: '<time>',
    summary,
    status: 'supported',
    sections,
    misplaced: 'warning',
    apply({ proxy, sink }, args, kw) {
      const v = need(args, kw, '<time>', sink);
      if (!v || tooMany(args, 1, kw, sink)) return;
      const r = parseTime(v.text);
      if (!r.ok) return sink.alert(v.pos, 'BAD_TIME', `'${name}': ${r.reason}`);
      // 0 means "no timeout" in HAProxy; the model says so with undefined.
      if (r.ms === 0) delete proxy.timeouts[which];
      else proxy.timeouts[which] = r.ms;
    },
  };
}


export const TIMEOUT_KEYWORDS: readonly ProxyKeyword[] = [
  timeout('connect', BACKEND_SECTIONS, 'maximum time to establish a connection to a server'),
  timeout('client', FRONTEND_SECTIONS, 'maximum inactivity time on the client side; also bounds the wait for a PROXY header without client-hs (§4.10)'),
  timeout('server', BACKEND_SECTIONS, 'maximum inactivity time on the server side'),
  timeout('clientHs', FRONTEND_SECTIONS, 'maximum time for the client handshake, including the PROXY header (§4.10)'),
  timeout('check', BACKEND_SECTIONS, 'additional read timeout for health checks once connected'),
  timeout('tunnel', BACKEND_SECTIONS, 'maximum inactivity time once a connection is a bidirectional tunnel'),
  timeout('clientFin', FRONTEND_SECTIONS, 'inactivity timeout on the client side for half-closed connections'),
  timeout('serverFin', BACKEND_SECTIONS, 'inactivity timeout on the server side for half-closed connections'),
  timeout('queue', BACKEND_SECTIONS, 'maximum time to wait in the queue for a connection slot'),
];
