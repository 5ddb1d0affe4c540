// Lint step: no import cycles between the TypeScript modules of any package (type-only imports
// included: a cycle is a design knot even when the compiler erases one side). Prints each cycle
// as a chain of files and exits 1 when there is one. Tarjan's algorithm over relative imports.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = join(ROOT, 'packages');
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*'(\.{1,2}\/[^']+)'|(?:^|\n)\s*import\s*'(\.{1,2}\/[^']+)'/g;

function sources(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(path));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const files = readdirSync(PACKAGES).flatMap((p) => sources(join(PACKAGES, p)));
const known = new Set(files);
const edges = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const targets = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (known.has(target)) targets.push(target);
  }
  edges.set(file, targets);
}

// Tarjan's strongly connected components, iterative (deep chains must not overflow the stack).
let index = 0;
const idx = new Map();
const low = new Map();
const onStack = new Set();
const stack = [];
const cycles = [];
for (const start of files) {
  if (idx.has(start)) continue;
  const work = [[start, 0]];
  idx.set(start, index); low.set(start, index); index++; stack.push(start); onStack.add(start);
  while (work.length > 0) {
    const frame = work[work.length - 1];
    const [v, i] = frame;
    const next = edges.get(v)[i];
    if (next !== undefined) {
      frame[1]++;
      if (!idx.has(next)) {
        idx.set(next, index); low.set(next, index); index++; stack.push(next); onStack.add(next);
        work.push([next, 0]);
      } else if (onStack.has(next)) low.set(v, Math.min(low.get(v), idx.get(next)));
      continue;
    }
    work.pop();
    if (work.length > 0) {
      const parent = work[work.length - 1][0];
      low.set(parent, Math.min(low.get(parent), low.get(v)));
    }
    if (low.get(v) === idx.get(v)) {
      const component = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1 || edges.get(v).includes(v)) cycles.push(component);
    }
  }
}

if (cycles.length > 0) {
  for (const c of cycles) process.stderr.write(`import cycle: ${c.map((f) => relative(ROOT, f)).sort().join(' <-> ')}\n`);
  process.stderr.write(`${cycles.length} import cycle(s): move the shared part into a module both can import.\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`no import cycles among ${files.length} modules\n`);
}
