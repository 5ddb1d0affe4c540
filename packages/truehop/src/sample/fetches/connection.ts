// Layer-4 address fetches (HAProxy src/tcp_sample.c). `src`/`dst` report the addresses a PROXY
// header advertised — except inside `tcp-request connection`, which runs before the header is
// read and therefore sees the real peer (§4.1, §4.11). `fc_*` always report the real TCP
// endpoints, so rules can tell the proxy in front from the client it speaks for.
import type { Endpoint, SessionContext } from '../../model/session.js';
import { registerFetches, simpleFetch } from '../keyword.js';
import type { Sample } from '../types.js';

function addressSample(ep: Endpoint): Sample {
  return ep.family === 'IPv6' ? { type: 'ipv6', value: ep.address } : { type: 'ipv4', value: ep.address };
}

/** HAProxy oddity kept on purpose (§4.11 [OBS]): a port of 0 yields no sample at all. */
function portSample(ep: Endpoint): Sample | undefined {
  return ep.port === 0 ? undefined : { type: 'int', value: ep.port };
}

function advertisedClient(ctx: SessionContext): Endpoint {
  return ctx.phase === 'connection' ? ctx.realClient : (ctx.client ?? ctx.realClient);
}

function advertisedLocal(ctx: SessionContext): Endpoint {
  return ctx.phase === 'connection' ? ctx.realLocal : (ctx.local ?? ctx.realLocal);
}

registerFetches([
  {
    name: 'src', syntax: 'src', output: 'addr', earliestPhase: 'connection', args: [],
    summary: "client address: the one a PROXY header advertised, the real peer inside 'tcp-request connection' or without a header",
    compile: simpleFetch((ctx) => addressSample(advertisedClient(ctx))),
  },
  {
    name: 'src_port', syntax: 'src_port', output: 'int', earliestPhase: 'connection', args: [],
    summary: 'client port, advertised like src; no sample when the port is 0 (as HAProxy)',
    compile: simpleFetch((ctx) => portSample(advertisedClient(ctx))),
  },
  {
    name: 'dst', syntax: 'dst', output: 'addr', earliestPhase: 'connection', args: [],
    summary: 'destination address the client connected to, advertised like src',
    compile: simpleFetch((ctx) => addressSample(advertisedLocal(ctx))),
  },
  {
    name: 'dst_port', syntax: 'dst_port', output: 'int', earliestPhase: 'connection', args: [],
    summary: 'destination port, advertised like src; no sample when the port is 0',
    compile: simpleFetch((ctx) => portSample(advertisedLocal(ctx))),
  },
  {
    name: 'fc_src', syntax: 'fc_src', output: 'addr', earliestPhase: 'connection', args: [],
    summary: 'real address of the TCP peer (the proxy in front when a PROXY header was received)',
    compile: simpleFetch((ctx) => addressSample(ctx.realClient)),
  },
  {
    name: 'fc_src_port', syntax: 'fc_src_port', output: 'int', earliestPhase: 'connection', args: [],
    summary: 'real port of the TCP peer',
    compile: simpleFetch((ctx) => portSample(ctx.realClient)),
  },
  {
    name: 'fc_dst', syntax: 'fc_dst', output: 'addr', earliestPhase: 'connection', args: [],
    summary: 'real local address of the connection',
    compile: simpleFetch((ctx) => addressSample(ctx.realLocal)),
  },
  {
    name: 'fc_dst_port', syntax: 'fc_dst_port', output: 'int', earliestPhase: 'connection', args: [],
    summary: 'real local port of the connection',
    compile: simpleFetch((ctx) => portSample(ctx.realLocal)),
  },
]);
