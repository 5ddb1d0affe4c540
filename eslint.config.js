// Lint = correctness rules from typescript-eslint plus the architecture of STYLE.md, enforced
// on import paths so the dependency direction is checked, not only written down:
//   codec (packages/proxy-protocol) imports no package at all;
//   @truehop/node imports the codec only;
//   in the daemon, config/ never imports datapath/, datapath/ never reads files or parses
//   config, observe/ never imports datapath/, model/ never imports config/, text/ imports no
//   other folder. Import cycles are refused by scripts/check-import-cycles.mjs (npm run lint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS_ONLY = {
  patterns: [
    {
      regex: '^(?!node:|\\.{1,2}/)',
      message: 'The codec has zero runtime dependencies: only relative imports and node: builtins.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'scripts/**', 'eslint.config.js'] },
  js.configs.recommended,
  // Type-checked rules: floating promises, unsafe any, unbound methods, needless assertions —
  // bugs the syntax-only preset cannot see. Each package's tsconfig gives the types.
  ...tseslint.configs.recommendedTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  // Plain JavaScript (the committed bin file) is outside every tsconfig: syntax rules only.
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.ts'],
    rules: {
      // A switch over a union must name every member (or say `default:` on purpose), so a new
      // termination code, TLV kind or state cannot fall through silently.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Node 20 defines the globals Buffer and process as getters on globalThis, and performance
    // as a lazy one: every use in a function is a global-load IC plus a getter call, about a
    // microsecond per connection on the data path. Imported, they are plain module bindings.
    files: ['packages/*/src/**/*.ts', 'packages/*/bench/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error',
        { name: 'Buffer', message: "import { Buffer } from 'node:buffer': the global is a getter." },
        { name: 'process', message: "import process from 'node:process': the global is a getter." },
        { name: 'performance', message: "import { performance } from 'node:perf_hooks': the global is a lazy getter." },
      ],
    },
  },
  {
    files: ['packages/proxy-protocol/src/**/*.ts'],
    ignores: ['packages/proxy-protocol/src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', NODE_BUILTINS_ONLY] },
  },
  {
    // The core codec never imports the vendor TLV modules (they are optional add-ons).
    files: ['packages/proxy-protocol/src/*.ts'],
    ignores: ['packages/proxy-protocol/src/**/*.test.ts', 'packages/proxy-protocol/src/index.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        ...NODE_BUILTINS_ONLY,
        patterns: [
          ...NODE_BUILTINS_ONLY.patterns,
          { group: ['./tlv/aws*', './tlv/azure*', './tlv/gcp*'], message: 'Vendor TLVs sit in tlv/ and the core never imports them.' },
        ],
      }],
    },
  },
  {
    files: ['packages/node/src/**/*.ts'],
    ignores: ['packages/node/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(?!node:|\\.{1,2}/|@truehop/proxy-protocol(/|$))', message: '@truehop/node depends on the codec only.' },
        ],
      }],
    },
  },
  {
    files: ['packages/truehop/src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/datapath/**', '**/datapath'], message: 'config never imports datapath (STYLE.md).' }],
      }],
    },
  },
  {
    files: ['packages/truehop/src/datapath/**/*.ts'],
    ignores: ['packages/truehop/src/datapath/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'node:fs', message: 'datapath never reads files (STYLE.md).' },
          { name: 'node:fs/promises', message: 'datapath never reads files (STYLE.md).' },
          { name: 'fs', message: 'datapath never reads files (STYLE.md).' },
        ],
        patterns: [{ group: ['**/config/**', '**/config'], message: 'datapath never parses config (STYLE.md): it receives the compiled model.' }],
      }],
    },
  },
  {
    // The frozen model is what the data path reads: it must not depend on the parser.
    files: ['packages/truehop/src/model/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/config/**', '**/config', '**/datapath/**', '**/runtime/**'], message: 'model/ is below config/ and the data path (docs/architecture.md): it imports only text/ and sample types.' }],
      }],
    },
  },
  {
    // Positions, diagnostics and value parsers sit below every other folder of the daemon.
    files: ['packages/truehop/src/text/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['../*'], message: 'text/ is the bottom layer of the daemon: it imports nothing from the other folders.' }],
      }],
    },
  },
  {
    // The HTTP services (stats page, exporter) see the data path only as ServiceHandoff and
    // the statistics as plain snapshots: they never reach into datapath/ or config/.
    files: ['packages/truehop/src/services/**/*.ts'],
    ignores: ['packages/truehop/src/services/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/datapath/**', '**/datapath', '**/config/**', '**/config'], message: 'services/ reads snapshots and the model, never the data path or the parser (docs/architecture.md).' }],
      }],
    },
  },
  {
    files: ['packages/truehop/src/observe/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/datapath/**', '**/datapath'], message: 'observe never imports datapath; others push into it (STYLE.md).' }],
      }],
    },
  },
);
