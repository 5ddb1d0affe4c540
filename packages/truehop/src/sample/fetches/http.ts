// HTTP request fetches (HAProxy src/http_fetch.c), for the one place truehop parses HTTP: the
// `mode http` frontends that serve the stats page and the Prometheus exporter
// (services/http-service.ts). Everywhere else traffic is a TCP stream, so they only compile
// in `http-request` rules.
import { registerFetches, simpleFetch } from '../keyword.js';

registerFetches([
  {
    name: 'path', syntax: 'path', output: 'str', earliestPhase: 'http-request', args: [],
    phaseReason: 'truehop parses HTTP only in the mode http service frontends',
    summary: "the request's path: the URI from its first '/' up to the '?' (mode http service frontends only)",
    compile: simpleFetch((ctx) => (ctx.httpPath === null ? undefined : { type: 'str', value: ctx.httpPath })),
  },
]);
