// State shared by every keyword handler while the files are read: the diagnostics sink, the
// environment for `${VAR}`, the drafts built so far, and how expressions get their CompileEnv.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Diagnostics } from '../text/diagnostics.js';
import type { GlobalDraft, ProxyDraft } from './draft.js';
import type { EnvLookup } from './tokenize.js';
import type { SourcePos } from '../text/source.js';
import type { Phase } from '../model/session.js';
import type { CompileEnv, NamedAcl } from '../sample/compile-env.js';

export interface LoadContext {
  readonly diagnostics: Diagnostics;
  readonly env: EnvLookup;
  readonly global: GlobalDraft;
  /** Frontends, backends and listens in declaration order (defaults are kept apart). */
  readonly proxies: ProxyDraft[];
  /** Named defaults sections, by name. */
  readonly namedDefaults: Map<string, ProxyDraft>;
  /** The defaults section proxies without `from` inherit (the last one seen, named or not). */
  lastDefaults: ProxyDraft | undefined;
  /** Reads a file for `-f` patterns; relative paths are relative to the config file's folder. */
  readonly readPatternFile: (path: string, pos: SourcePos) => string | undefined;
}

/** Pattern files are ACL data, not code; this bound stops a config from pulling in a huge file. */
export const MAX_PATTERN_FILE_BYTES = 16 * 1024 * 1024;

export function filePatternReader(diagnostics: Diagnostics): (path: string, pos: SourcePos) => string | undefined {
  return (path, pos) => {
    const full = isAbsolute(path) ? path : resolve(dirname(pos.file), path);
    try {
      const buf = readFileSync(full);
      if (buf.length > MAX_PATTERN_FILE_BYTES) {
        diagnostics.alert(pos, 'FILE_TOO_LARGE', `pattern file '${path}' is larger than ${MAX_PATTERN_FILE_BYTES} bytes`);
        return undefined;
      }
      return buf.toString('utf8');
    } catch (err) {
      diagnostics.alert(pos, 'FILE_UNREADABLE', `cannot read pattern file '${path}': ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return undefined;
    }
  };
}

/** The ACLs of one proxy declared so far, while its rule lines are compiled in order. */
export interface AclScope {
  readonly acls: Map<string, NamedAcl>;
  /** Declared, but the line failed to compile (reported there): no follow-on "no such ACL". */
  readonly failed: Set<string>;
}

export function newAclScope(): AclScope {
  return { acls: new Map(), failed: new Set() };
}

/** The environment the expression engine compiles one expression of `proxy` in. */
export function compileEnvFor(ctx: LoadContext, proxy: ProxyDraft, phase: Phase, scope: AclScope): CompileEnv {
  return {
    diagnostics: ctx.diagnostics,
    proxyName: proxy.name,
    phase,
    lookupAcl: (name) => scope.acls.get(name),
    isFailedAcl: (name) => scope.failed.has(name),
    aclNames: () => scope.acls.keys(),
    readPatternFile: ctx.readPatternFile,
  };
}
