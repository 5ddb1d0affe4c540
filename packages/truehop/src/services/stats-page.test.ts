// The HTML page: a table per frontend and backend, a row per server with its state, the
// PROXY-protocol counters, the admin form only when allowed, every value escaped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, formatDuration, renderStatsPage } from './stats-page.js';
import type { StatsPageView } from './http-service.js';
import { NOW_MS, statsSnapshot } from '../../test/support/stats-snapshot-fixture.js';

const page = { uri: '/stats', realm: 'r', users: [], hideVersion: false, pos: { file: 't', line: 1, col: 1 } };
const view = (partial: Partial<StatsPageView> = {}): StatsPageView => ({ page, admin: false, uri: '/stats', status: undefined, refresh: false, ...partial });

describe('stats page', () => {
  it('shows one row per server with its state and weight', () => {
    const html = renderStatsPage(view(), { snapshot: statsSnapshot(), nowMs: NOW_MS, version: '1.2.3' });
    assert.match(html, /<tr class="up" data-server="s1" data-state="UP">/);
    assert.match(html, /<tr class="drain" data-server="s2" data-state="DRAIN">.*<td class="weight">0\/1<\/td>/);
    assert.match(html, /data-server="s3" data-state="MAINT"/);
    assert.match(html, /L4OK in 1ms/);
    assert.match(html, /v1 3<\/td><td>v2 6/);
    assert.match(html, /PRX_NOT_HDR 2/);
    assert.match(html, /0x01 2, 0xea 1/);
    assert.match(html, /truehop 1\.2\.3/);
    assert.equal(html.includes('<form'), false, 'no actions without stats admin');
    assert.equal(/<script|https?:\/\//.test(html), false, 'nothing loaded from elsewhere');
  });

  it('offers the actions when stats admin holds, and hides the version on request', () => {
    const html = renderStatsPage(view({ admin: true, page: { ...page, hideVersion: true }, status: 'DONE' }), { snapshot: statsSnapshot(), nowMs: NOW_MS, version: '1.2.3' });
    assert.match(html, /<form method="post" action="\/stats">/);
    assert.match(html, /<input type="checkbox" name="s" value="s1">/);
    assert.match(html, /<option value="drain">/);
    assert.match(html, /<input type="hidden" name="b" value="be">/);
    assert.match(html, /\[DONE\] Action processed successfully\./);
    assert.equal(html.includes('1.2.3'), false);
  });

  it('escapes every name', () => {
    const snapshot = statsSnapshot();
    snapshot.backends[0]!.servers[0]!.name = '<img src=x onerror=alert(1)>';
    snapshot.frontends[0]!.name = '"><script>';
    const html = renderStatsPage(view({ admin: true }), { snapshot, nowMs: NOW_MS, version: '1' });
    assert.equal(html.includes('<img'), false);
    assert.equal(html.includes('<script'), false);
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
  });

  it("formats durations as HAProxy's page does", () => {
    assert.equal(formatDuration(42_000), '42s');
    assert.equal(formatDuration(200_000), '3m20s');
    assert.equal(formatDuration(18_720_000), '5h12m');
    assert.equal(formatDuration(183_600_000), '2d3h');
  });
});
