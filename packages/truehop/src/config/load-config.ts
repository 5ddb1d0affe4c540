// The programmatic API: `loadConfig(paths)` reads the files in order (as HAProxy does with
// several -f; a directory means its *.cfg files in lexical order) and runs the pipeline
// text → tokenize → sections → drafts (keyword registries) → resolve → validate → compile.
// It never throws on configuration content: every problem is a diagnostic, and the caller
// decides (the CLI refuses to start when there is any alert).
import process from 'node:process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../text/diagnostics.js';
import { Diagnostics } from '../text/diagnostics.js';
import type { SourcePos } from '../text/source.js';
import type { EnvLookup } from './tokenize.js';
import { tokenizeText } from './tokenize.js';
import { filterConditionalBlocks } from './conditional-blocks.js';
import { splitSections } from './sections.js';
import type { LoadContext } from './load-context.js';
import { filePatternReader } from './load-context.js';
import { newGlobalDraft } from './draft.js';
import { applySections } from './apply-sections.js';
import { resolveReferences } from './resolve.js';
import { validateDrafts } from './validate.js';
import { compileModel } from './compile.js';
import { GLOBAL_KEYWORDS } from './keywords/global/global-keywords.js';
import { PROXY_KEYWORDS } from './keywords/proxy/registry.js';

/** First words of every registered keyword, for spotting misspelt section headers. */
const KNOWN_FIRST_WORDS = new Set<string>(['no', ...[...GLOBAL_KEYWORDS, ...PROXY_KEYWORDS].map((k) => k.name.split(' ')[0] as string)]);
const isKnownFirstWord = (w: string): boolean => KNOWN_FIRST_WORDS.has(w) || w.startsWith('.');
import type { TruehopModel } from '../model/config-model.js';

/**
 * A configuration file larger than this is refused: real configs are kilobytes; the cap keeps
 * a wrong path (a log file, a device) from being read whole into memory.
 */
export const MAX_CONFIG_FILE_BYTES = 16 * 1024 * 1024;

export interface LoadOptions {
  /** Environment for `"${VAR}"` expansion; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ConfigSource {
  /** Name shown in diagnostics (the path). */
  file: string;
  text: string;
}

export interface LoadResult {
  /** Always built; do not run it when `ok` is false (it may lack what the alerts are about). */
  model: TruehopModel;
  /** Every alert and warning, sorted by file (in load order), line and column. */
  diagnostics: readonly Diagnostic[];
  /** True when there is no alert (warnings allowed): the configuration is valid. */
  ok: boolean;
}

export function loadConfig(paths: readonly string[], options: LoadOptions = {}): LoadResult {
  const diagnostics = new Diagnostics();
  const sources: ConfigSource[] = [];
  for (const path of paths) readSourcesInto(path, sources, diagnostics);
  return run(sources, diagnostics, options);
}

/** Same pipeline from in-memory text (tests, embedding). */
export function loadConfigText(sources: readonly ConfigSource[], options: LoadOptions = {}): LoadResult {
  return run(sources, new Diagnostics(), options);
}

function readSourcesInto(path: string, out: ConfigSource[], diagnostics: Diagnostics): void {
  const at: SourcePos = { file: path, line: 1, col: 1 };
  try {
    const st = statSync(path);
    if (st.isDirectory()) {
      const names = readdirSync(path).filter((n) => n.endsWith('.cfg')).sort();
      for (const n of names) readSourcesInto(join(path, n), out, diagnostics);
      return;
    }
    if (st.size > MAX_CONFIG_FILE_BYTES) {
      diagnostics.alert(at, 'FILE_TOO_LARGE', `configuration file is larger than ${MAX_CONFIG_FILE_BYTES} bytes`);
      return;
    }
    out.push({ file: path, text: readFileSync(path, 'utf8') });
  } catch (err) {
    diagnostics.alert(at, 'FILE_UNREADABLE', `cannot read configuration file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

function run(sources: readonly ConfigSource[], diagnostics: Diagnostics, options: LoadOptions): LoadResult {
  const envObj = options.env ?? process.env;
  const env: EnvLookup = (name) => (Object.prototype.hasOwnProperty.call(envObj, name) ? envObj[name] : undefined);
  const ctx: LoadContext = {
    diagnostics,
    env,
    global: newGlobalDraft(),
    proxies: [],
    namedDefaults: new Map(),
    lastDefaults: undefined,
    readPatternFile: filePatternReader(diagnostics),
  };
  let firstPos: SourcePos | undefined;
  for (const src of sources) {
    const lines = filterConditionalBlocks(tokenizeText(src.text, src.file, env, diagnostics), src.file, env, diagnostics);
    const sections = splitSections(lines, diagnostics, isKnownFirstWord);
    firstPos ??= sections[0]?.pos;
    applySections(ctx, sections);
  }
  // The stages of docs/architecture.md: keywords were applied above; resolve → validate → compile.
  const resolved = resolveReferences(ctx.proxies, diagnostics);
  validateDrafts(ctx.proxies, firstPos ?? (sources[0] ? { file: sources[0].file, line: 1, col: 1 } : undefined), diagnostics);
  const model = compileModel(ctx, resolved);
  const order = new Map<string, number>();
  sources.forEach((s, i) => { if (!order.has(s.file)) order.set(s.file, i); });
  const sorted = dedupe(diagnostics.items)
    .map((d, i) => ({ d, i }))
    .sort((a, b) =>
      (order.get(a.d.pos.file) ?? -1) - (order.get(b.d.pos.file) ?? -1) ||
      a.d.pos.line - b.d.pos.line ||
      a.d.pos.col - b.d.pos.col ||
      a.i - b.i)
    .map(({ d }) => Object.freeze({ ...d, pos: Object.freeze({ ...d.pos }) }));
  return { model, diagnostics: Object.freeze(sorted), ok: !sorted.some((d) => d.severity === 'alert') };
}

/**
 * One diagnostic per place and code: a line of a defaults section is checked again for every
 * proxy that inherits it (a log format compiled per proxy, an option validated per proxy), and
 * the operator must see the problem once, at its position — the first report is kept.
 */
function dedupe(items: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of items) {
    const key = `${d.pos.file}\0${d.pos.line}\0${d.pos.col}\0${d.severity}\0${d.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
