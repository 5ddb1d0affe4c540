import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionContext } from '../model/session.js';
import { createSessionContext } from '../../test/support/session-fixture.js';
import { formatConnectionErrorLog, formatLogDate, formatTcpLog } from './tcplog.js';

const AT = new Date(2026, 10, 27, 12, 0, 5, 7).getTime();

function ctx(partial: Partial<SessionContext> = {}): SessionContext {
  const c = createSessionContext({ frontendName: 'fe', phase: 'backend' });
  Object.assign(c.stats, { queueMs: 0, connectMs: 1, totalMs: 20, bytesToClient: 212, bytesFromClient: 80, activeConns: 3, frontendConns: 2, backendConns: 1, serverConns: 1 });
  return Object.assign(c, { backendName: 'be', serverName: 's1', acceptedAtMs: AT }, partial);
}

describe('tcplog', () => {
  it('%t is dd/Mon/yyyy:HH:MM:SS.mmm', () => {
    assert.equal(formatLogDate(AT), '27/Nov/2026:12:00:05.007');
  });

  it('formats the tcplog fields in order', () => {
    assert.equal(formatTcpLog(ctx(), { server: 0, backend: 2 }), '127.0.0.1:40000 [27/Nov/2026:12:00:05.007] fe be/s1 0/1/20 212 -- 3/2/1/1/0 0/2');
  });

  it('shows the advertised client and appends the proxy hop when a header was received', () => {
    const line = formatTcpLog(
      ctx({
        client: { address: '192.0.2.1', port: 51234, family: 'IPv4' },
        proxyHeader: { version: 1, command: 'PROXY', family: 'INET', transport: 'STREAM', src: '192.0.2.1', srcPort: 51234, dst: '198.51.100.7', dstPort: 443, tlvs: [] },
      }),
      { server: 0, backend: 0 },
    );
    assert.ok(line.startsWith('192.0.2.1:51234 ['));
    assert.ok(line.endsWith(' proxy=127.0.0.1:40000'));
  });

  it('<NOSRV> and the frontend name when no backend/server was reached', () => {
    const line = formatTcpLog(ctx({ backendName: null, serverName: null, stats: { ...ctx().stats, terminationState: 'PR', connectMs: -1 } }), { server: 0, backend: 0 });
    assert.match(line, / fe fe\/<NOSRV> 0\/-1\/20 212 PR /);
  });

  it('connection errors use HAProxy wording and the PRX_* code', () => {
    assert.equal(
      formatConnectionErrorLog(ctx(), '1', 'PRX_BAD_HDR', 'CRC_MISMATCH'),
      '127.0.0.1:40000 [27/Nov/2026:12:00:05.007] fe/1: Received an invalid PROXY protocol header [PRX_BAD_HDR CRC_MISMATCH]',
    );
  });
});
