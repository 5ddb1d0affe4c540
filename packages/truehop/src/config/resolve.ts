// Resolves references between proxies once every file is read: default_backend and
// use_backend name backends that may be declared later in the config (HAProxy resolves
// them after parsing too). An unknown name is an alert at the word that names it. The result
// is what the compile stage turns into model references (FrontendModel.defaultBackend,
// UseBackendRule.backend): the data path never looks a backend up by name.
import type { DiagnosticSink } from '../text/diagnostics.js';
import type { ProxyDraft } from './draft.js';
import type { Word } from '../text/source.js';
import { suggestion } from '../text/did-you-mean.js';

export interface ResolvedReferences {
  /** The backend each default_backend / use_backend word names; absent when it names none (reported). */
  readonly backendOf: ReadonlyMap<Word, ProxyDraft>;
}

/** truehop parses HTTP only for its built-in services (stats page, exporter), never to forward it. */
const HTTP_FORWARDING = false;

export function resolveReferences(proxies: readonly ProxyDraft[], sink: DiagnosticSink): ResolvedReferences {
  const backends = new Map<string, ProxyDraft>();
  const backendOf = new Map<Word, ProxyDraft>();
  for (const p of proxies) if (p.be && !backends.has(p.name)) backends.set(p.name, p);
  const check = (fe: ProxyDraft, ref: Word, what: string): void => {
    const be = backends.get(ref.text);
    if (!be) {
      const frontendOnly = proxies.some((p) => p.name === ref.text && p.fe && !p.be);
      const hint = frontendOnly ? ` ('${ref.text}' is a frontend, not a backend)` : suggestion(ref.text, backends.keys());
      sink.alert(ref.pos, 'UNKNOWN_BACKEND', `${fe.kind} '${fe.name}': ${what} '${ref.text}' is not a declared backend${hint}`);
      return;
    }
    backendOf.set(ref, be);
    // An HTTP frontend cannot hand its stream to a TCP backend (HAProxy refuses it too); the
    // other way round HAProxy upgrades, so it is allowed.
    // Until truehop forwards HTTP, validate.ts refuses every mode http frontend that names a
    // backend (at its `mode` line); this alert would repeat that one, so it waits for HTTP.
    if (HTTP_FORWARDING && (fe.mode ?? 'tcp') === 'http' && (be.mode ?? 'tcp') === 'tcp') {
      sink.alert(ref.pos, 'MODE_MISMATCH', `${fe.kind} '${fe.name}' (mode http) cannot use backend '${be.name}' (mode tcp)`);
    }
  };
  for (const p of proxies) {
    if (!p.fe) continue;
    if (p.defaultBackend) check(p, p.defaultBackend, 'default_backend');
    for (const rule of p.rules) if (rule.kind === 'use_backend') check(p, rule.backend, 'use_backend');
  }
  return { backendOf };
}
