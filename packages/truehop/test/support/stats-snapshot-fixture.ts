// A hand-made stats snapshot (observe/stats-snapshot.ts) for the renderers' unit tests: one
// PROXY-protocol frontend, one backend with a checked server, an unchecked one and a backup.
import type { ServerSnapshot, StatsSnapshot } from '../../src/observe/stats-snapshot.js';

export const NOW_MS = 1_800_000_000_000;

export function serverSnapshot(name: string, partial: Partial<ServerSnapshot> = {}): ServerSnapshot {
  return {
    name, id: 1, backup: false, address: '127.0.0.1', port: 8080, status: 'UP', draining: false,
    initialWeight: 1, userWeight: 1, maxconn: null, scur: 0, lastChangeMs: NOW_MS - 65_000, check: null,
    counters: { stot: 3, lbtot: 3, smax: 1, bin: 300, bout: 900, econ: 0, eresp: 0, wretr: 0, wredis: 0, qmax: 0, cliAbrt: 0, srvAbrt: 0, lastSessMs: NOW_MS - 2000 },
    rate: { rate: 0, max: 2 },
    ...partial,
  };
}

export function statsSnapshot(): StatsSnapshot {
  return {
    processes: [{ pid: 4242, startedAtMs: NOW_MS - 3_600_000, maxconn: 1000, counters: { sessionsActive: 1, sessionsTotal: 9, logLinesDropped: 0, logLinesFailed: 0 }, sessions: [] }],
    frontends: [{
      name: 'fe', id: 2, mode: 'tcp', scur: 1, maxconn: null,
      counters: { stot: 9, connTot: 11, smax: 2, bin: 700, bout: 2100, dcon: 1, dses: 0, dreq: 0, ereq: 2, cliAbrt: 0 },
      rate: { rate: 1, max: 3 }, connRate: { rate: 1, max: 4 },
      proxyProtocol: {
        v1: 3, v2: 6, cmdProxy: 8, cmdLocal: 1, rejections: { PRX_NOT_HDR: 2, PRX_BAD_HDR: 0 }, tlvTypes: { 1: 2, 234: 1 },
        hops: { '127.0.0.1': 9 }, otherHops: 0, capturedTotal: 2, captured: [],
      },
    }],
    backends: [{
      name: 'be', id: 3, mode: 'tcp', balance: 'roundrobin', maxconn: null, scur: 1, qcur: 0,
      counters: { stot: 9, lbtot: 9, smax: 2, bin: 700, bout: 2100, econ: 1, eresp: 0, wretr: 1, wredis: 0, qmax: 0, cliAbrt: 0, srvAbrt: 0, lastSessMs: NOW_MS - 2000 },
      rate: { rate: 1, max: 3 },
      servers: [
        serverSnapshot('s1', {
          id: 1, scur: 1,
          check: { status: 'L4OK', description: 'Layer4 check passed', code: null, durationMs: 1, info: '', health: 3, rise: 2, fall: 3, failedChecks: 1, downTransitions: 1, downtimeMs: 4000, disabled: false },
        }),
        serverSnapshot('s2', { id: 2, draining: true }),
        serverSnapshot('s3', { id: 3, backup: true, status: 'MAINT' }),
      ],
    }],
  };
}
