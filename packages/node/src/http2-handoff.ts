// Job: an http2 session (plain or secure) and its `socket` answer getProxyInfo().
//
// http2 creates the session on the socket it is given (the raw socket for h2c, the TLSSocket
// for h2) and announces it with 'session'. `session.socket` is a Proxy that routes property
// reads to that socket, so the socket's PROXY_INFO accessor (socket-info.ts) finds the info
// through it: no state shared between events, no assumption about when 'session' fires. The
// session and its Proxy are recorded too, so that getProxyInfo() still answers after the
// session let go of its socket (the Proxy throws then). The compatibility API's per-request
// `req.socket` Proxy routes the same way and needs nothing here.
import type { Server } from 'node:net';
import { getProxyInfo, recordProxyInfo } from './socket-info.js';

export function linkHttp2Sessions(server: Server): void {
  // Other servers never emit 'session'.
  server.on('session', (session: object) => {
    const socket = (session as { socket?: unknown }).socket;
    if (typeof socket !== 'object' || socket === null) return;
    const info = getProxyInfo(socket);
    if (info === undefined) return; // sent no header (optional mode)
    recordProxyInfo(session, info);
    recordProxyInfo(socket, info);
  });
}
