// Records every interop cell (peer × direction × feature) as it runs and writes them to a JSON
// file per test file; scripts/render-interop.mjs turns those files into docs/interop.md. A cell
// whose peer binary is missing is skipped with the package name (a failure under CI=true,
// where .ci/run has installed every peer).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test, type TestContext } from 'node:test';
import type { PeerPackage } from './peer-packages.js';

export type Direction = 'truehop→peer' | 'peer→truehop';

/**
 * pass: the peer saw (or sent) the real client address through its own means.
 * rejected: the peer refuses what truehop sends; `note` says whose fault, against the spec.
 * unsupported: the peer has no such feature (no v2, no IPv6…); `note` says which.
 */
export type Outcome = 'pass' | 'rejected' | 'unsupported' | 'skipped' | 'fail';

export interface CellResult {
  peer: string;
  debianPackage: string;
  version: string;
  direction: Direction;
  feature: string;
  outcome: Outcome;
  note: string;
}

/** What a cell's body may report besides a plain pass. */
export interface CellReport {
  outcome: Exclude<Outcome, 'skipped' | 'fail'>;
  note: string;
}

/** Where result files go: TRUEHOP_INTEROP_RESULTS, else packages/truehop/dist/interop-results. */
export const RESULTS_DIR = process.env['TRUEHOP_INTEROP_RESULTS'] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'interop-results');

/**
 * The installed Debian version of `pkg`, or '' when it is not installed. Asked of dpkg (a
 * child process), not the file system: the test runner's sandbox lets a test read only the
 * repository and the program directories, and an nginx module lives elsewhere.
 */
export function debianVersion(pkg: string): string {
  try {
    const [status, version] = execFileSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}|${Version}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('|');
    return status?.startsWith('ii') === true ? (version ?? '').trim() : '';
  } catch {
    return '';
  }
}

export class Matrix {
  readonly results: CellResult[] = [];
  /** The first missing package, if any: its cells are skipped. */
  readonly missing: PeerPackage | undefined;
  private readonly version: string;

  constructor(
    readonly peer: string,
    readonly direction: Direction,
    readonly pkg: PeerPackage,
    /** Further packages the cells need (a module, a client). */
    needs: readonly PeerPackage[] = [],
  ) {
    this.missing = [pkg, ...needs].find((p) => p.skip() !== false);
    this.version = debianVersion(pkg.debianPackage);
    const file = join(RESULTS_DIR, `${slug(peer)}-${direction === 'truehop→peer' ? 'receives' : 'sends'}.json`);
    after(() => {
      try {
        mkdirSync(RESULTS_DIR, { recursive: true });
        writeFileSync(file, `${JSON.stringify(this.results, null, 2)}\n`);
      } catch (error) {
        // npm test's sandbox allows writes only in its temporary directory: the cells still
        // pass or fail there; `npm run interop` (no sandbox) is what records them.
        if ((error as NodeJS.ErrnoException).code !== 'ERR_ACCESS_DENIED') throw error;
      }
    });
  }

  get available(): boolean {
    return this.missing === undefined;
  }

  /** One test = one cell. The body throws on failure, returns a report for a documented non-pass. */
  cell(feature: string, body: (t: TestContext) => Promise<CellReport | void>, timeoutMs = 30_000): void {
    test(`${this.peer} ${this.direction} ${feature}`, { timeout: timeoutMs }, async (t) => {
      const record = (outcome: Outcome, note: string): void => {
        this.results.push({ peer: this.peer, debianPackage: this.pkg.debianPackage, version: this.version, direction: this.direction, feature, outcome, note });
      };
      if (this.missing !== undefined) {
        const reason = this.missing.skip();
        record('skipped', `${this.missing.debianPackage} not installed`);
        t.skip(reason === false ? undefined : reason);
        return;
      }
      try {
        const report = await body(t);
        record(report?.outcome ?? 'pass', report?.note ?? '');
      } catch (error) {
        record('fail', error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error));
        throw error;
      }
    });
  }
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
