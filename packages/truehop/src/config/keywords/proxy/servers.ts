// Listeners and servers of proxies: bind, server, default-server (their options are in
// ../bind and ../server).
import { BACKEND_SECTIONS } from '../keyword.js';
import { cloneServerDraft } from '../../draft.js';
import { parseBindLine } from '../bind/bind-keywords.js';
import { applyServerOptions } from '../server/server-keywords.js';
import { parseServerAddress } from '../address.js';
import type { ProxyKeyword } from './proxy-keyword.js';
import { NAME_CHARS, need } from './proxy-keyword.js';

export const LISTENER_AND_SERVER_KEYWORDS: readonly ProxyKeyword[] = [
  {
    name: 'bind',
    syntax: '<address>:<port>[,…] [accept-proxy] [name <name>] [v4v6] [v6only]',
    summary: 'listening address: IPv4, [IPv6] or bare IPv6 (:::80), * or empty for all; port ranges are rejected',
    status: 'supported',
    sections: ['frontend', 'listen'],
    misplaced: 'alert',
    apply({ proxy, sink }, args, kw) {
      proxy.bindLines++;
      proxy.binds.push(...parseBindLine(args, kw, sink));
    },
  },
  {
    name: 'server',
    syntax: '<name> <address>:<port> [options…]',
    summary: 'a server of the backend; options are listed under "server options"',
    status: 'supported',
    sections: ['listen', 'backend'],
    misplaced: 'alert',
    apply({ proxy, sink }, args, kw) {
      const name = need(args, kw, '<name> <address>:<port>', sink);
      if (!name) return;
      if (!NAME_CHARS.test(name.text)) return sink.alert(name.pos, 'BAD_NAME', `invalid server name '${name.text}' (letters, digits, '-', '_', '.', ':')`);
      const addr = args[1];
      if (!addr) return sink.alert(name.pos, 'MISSING_ARGUMENT', `server '${name.text}' expects <address>:<port>`);
      const previous = proxy.servers.find((s) => s.name === name.text);
      if (previous) {
        sink.alert(name.pos, 'DUPLICATE_SERVER', `${proxy.kind} '${proxy.name}': another server named '${name.text}' was already defined at line ${previous.pos.line}`);
        return;
      }
      const a = parseServerAddress(addr.text, addr.pos, sink);
      // HAProxy starts every server as a copy of the current default-server.
      const server = cloneServerDraft(proxy.defaultServer);
      server.name = name.text;
      server.pos = kw.pos;
      applyServerOptions(server, args.slice(2), sink);
      if (!a) return;
      server.host = a.host;
      server.port = a.port;
      proxy.servers.push(server);
    },
  },
  {
    name: 'default-server',
    syntax: '[options…]',
    summary: 'default options for the servers declared after it (and, in defaults, for the proxies that follow)',
    status: 'supported',
    sections: BACKEND_SECTIONS,
    misplaced: 'alert',
    apply({ proxy, sink }, args) {
      applyServerOptions(proxy.defaultServer, args, sink);
    },
  },
];
