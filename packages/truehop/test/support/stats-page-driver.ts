// Drives the stats page in headless Chromium for stats-page-browser.test.ts, in a child
// process: playwright-core probes files outside the repository when it loads, which the test
// runner's permission model refuses to the test itself (child processes are not confined).
// Protocol: argv = JSON { url, user, password, chromium }; each step's result is one JSON line
// on stdout; the test answers a line on stdin to let the next step run (so it can send
// traffic between steps).
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

interface Args {
  url: string;
  user: string;
  password: string;
  chromium: string;
  screenshot: string;
}

/** Runs in the page (no DOM types here): the computed background colour of an element. */
const backgroundOf = (el: unknown): string => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor;

/** Runs in the page: `server:state` of each server row. */
const serverRows = (rows: unknown[]): string[] => (rows as { getAttribute(n: string): string | null }[]).map((tr) => `${tr.getAttribute('data-server')}:${tr.getAttribute('data-state')}`);

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const report = (step: string, value: unknown): void => void process.stdout.write(`${JSON.stringify({ step, value })}\n`);
const next = async (): Promise<void> => {
  await lines.next();
};

const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const context = await browser.newContext({ httpCredentials: { username: args.user, password: args.password }, viewport: { width: 1280, height: 720 } });
  const elsewhere: string[] = [];
  const origin = new URL(args.url).origin;
  context.on('request', (r) => {
    if (!r.url().startsWith(`${origin}/`)) elsewhere.push(r.url());
  });
  const page = await context.newPage();
  const rowsOf = (): Promise<string[]> => page.locator('table[data-backend="app"] tr[data-server]').evaluateAll(serverRows);
  const res = await page.goto(args.url);
  report('loaded', {
    status: res?.status(),
    rows: await rowsOf(),
    upColour: await page.locator('tr[data-server="web1"] td.state').evaluate(backgroundOf),
    proxyProtocol: await page.locator('table[data-proxy-protocol="www"]').innerText(),
  });
  await next();
  const form = page.locator('form:has(input[name="b"][value="app"])');
  await page.locator('tr[data-server="web1"] input[type="checkbox"]').check();
  await form.locator('select[name="action"]').selectOption('drain');
  await Promise.all([page.waitForURL(/;st=DONE$/), form.locator('input[type="submit"]').click()]);
  report('drained', {
    url: page.url(),
    rows: await rowsOf(),
    status: await page.locator('#action-status').innerText(),
    drainColour: await page.locator('tr[data-server="web1"] td.state').evaluate(backgroundOf),
  });
  await next();
  await page.reload();
  await page.screenshot({ path: args.screenshot, fullPage: true });
  report('done', { elsewhere });
  await context.close();
} finally {
  await browser.close();
}
process.exit(0);
