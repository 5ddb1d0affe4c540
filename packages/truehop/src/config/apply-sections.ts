// Turns parsed sections into drafts, in file order, the way HAProxy reads its config: each
// proxy starts as a copy of its defaults (the last one seen, or `from <name>`), then its
// lines are applied through the keyword registries. Nothing is compiled here: ACL and rule
// lines are kept as words for the compile stage (compile-rules.ts).
import type { ParsedSection } from './sections.js';
import type { LoadContext } from './load-context.js';
import type { ProxyDraft } from './draft.js';
import { newProxyDraft } from './draft.js';
import { dispatchGlobalLine } from './keywords/global/global-keywords.js';
import { dispatchProxyLine } from './keywords/proxy/dispatch.js';

export function applySections(ctx: LoadContext, sections: readonly ParsedSection[]): void {
  const sink = ctx.diagnostics;
  for (const section of sections) {
    if (section.kind === 'global') {
      for (const line of section.lines) dispatchGlobalLine(ctx.global, line.words, sink);
      continue;
    }
    let base: ProxyDraft | undefined = ctx.lastDefaults;
    if (section.from) {
      base = ctx.namedDefaults.get(section.from.text);
      if (!base) {
        const known = [...ctx.namedDefaults.keys()];
        sink.alert(section.from.pos, 'UNKNOWN_DEFAULTS', `defaults section '${section.from.text}' is not declared before this ${section.kind}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
      }
    } else if (section.kind === 'defaults') {
      // A defaults section without `from` starts from HAProxy's built-in settings.
      base = undefined;
    }
    const draft = newProxyDraft(section.kind, section.name, section.pos, base);
    if (section.kind === 'defaults') {
      if (section.nameWord) {
        const previous = ctx.namedDefaults.get(section.name);
        if (previous) {
          sink.alert(section.nameWord.pos, 'DUPLICATE_DEFAULTS', `defaults section '${section.name}' was already declared at line ${previous.pos.line} of ${previous.pos.file}`);
        }
      }
    } else {
      const clash = ctx.proxies.find((p) => p.name === section.name && ((p.fe && draft.fe) || (p.be && draft.be)));
      if (clash) {
        sink.alert((section.nameWord ?? section).pos, 'DUPLICATE_PROXY', `${section.kind} '${section.name}' has the same name as the ${clash.kind} declared at ${clash.pos.file}:${clash.pos.line}`);
      }
    }
    const lineCtx = { load: ctx, proxy: draft, sink };
    for (const line of section.lines) dispatchProxyLine(lineCtx, line.words);
    if (section.kind === 'defaults') {
      ctx.lastDefaults = draft;
      if (section.nameWord) ctx.namedDefaults.set(section.name, draft);
    } else {
      ctx.proxies.push(draft);
    }
  }
}
