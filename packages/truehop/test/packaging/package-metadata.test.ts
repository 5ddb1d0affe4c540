// What an npm user meets on the registry page and in the tarball: a README whose links work
// there (npm renders it away from the repository, so a relative link is a dead link), the MIT
// LICENSE, where the code lives, and which Node versions the ESM-only packages support.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, WORKSPACES } from './workspaces.js';

/**
 * The first releases whose `require()` loads ES modules without a flag (Node 20.19.0, and
 * 22.12.0 on the next LTS line; 21.x never had it unflagged), so CommonJS users of these
 * ESM-only packages can `require()` them.
 */
const REQUIRE_ESM_ENGINES = '^20.19.0 || >=22.12.0';
const REPOSITORY_URL = 'git+https://github.com/truehop/truehop.git';

/** Link targets in markdown prose (code blocks and code spans are not links). */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '``');
  const targets: string[] = [];
  for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)/g)) targets.push(m[1] ?? '');
  for (const m of prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(m[1] ?? '');
  for (const m of prose.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/gi)) targets.push(m[1] ?? '');
  return targets;
}

const worksOffRepository = (target: string): boolean => /^(https?:\/\/|mailto:|#)/i.test(target);

describe('what each package shows an npm user', () => {
  it('the link finder sees inline, reference and html links, not code', () => {
    const md = '[a](../x) [b](https://e.org/y) ![i](img.png)\n[ref]: docs/z.md\n<a href="w.md">w</a>\n`[c](no)`\n```md\n[d](no)\n```\n';
    assert.deepEqual(linkTargets(md), ['../x', 'https://e.org/y', 'img.png', 'docs/z.md', 'w.md']);
  });

  it('the repository asks for the same Node versions (its tests require() the packages)', () => {
    const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines?: { node?: string } };
    assert.equal(root.engines?.node, REQUIRE_ESM_ENGINES);
  });

  for (const { folder, dir, manifest } of WORKSPACES) {
    describe(manifest.name, () => {
      it('README links are absolute (they must work from the registry page)', () => {
        const readme = readFileSync(join(dir, 'README.md'), 'utf8');
        const links = linkTargets(readme);
        assert.ok(links.length > 0, 'the README has links to check');
        assert.deepEqual(links.filter((target) => !worksOffRepository(target)), []);
      });

      it('README says which TypeScript moduleResolution the types need', () => {
        const readme = readFileSync(join(dir, 'README.md'), 'utf8');
        for (const mode of ['node16', 'nodenext', 'bundler']) assert.ok(readme.includes(`"${mode}"`), mode);
      });

      it('MIT LICENSE file, the same text as the repository\'s', () => {
        assert.equal(manifest.license, 'MIT');
        const license = readFileSync(join(dir, 'LICENSE'), 'utf8');
        assert.match(license, /^MIT License\n/);
        assert.equal(license, readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8'));
      });

      it('repository field pointing at its folder, engines where require() loads ESM', () => {
        assert.deepEqual(manifest.repository, { type: 'git', url: REPOSITORY_URL, directory: `packages/${folder}` });
        assert.equal(manifest.engines?.node, REQUIRE_ESM_ENGINES);
      });
    });
  }
});
