// Dispatches one line of a defaults/frontend/backend/listen section to its keyword
// descriptor: two-word keywords first (`timeout client`, `option redispatch`), then one-word
// ones; `no <keyword>` for negatable keywords; section capability checks; unknown keywords
// get "did you mean", real HAProxy keywords truehop lacks get NOT_SUPPORTED_YET.
import type { Word } from '../../../text/source.js';
import type { ProxyLineContext } from './proxy-keyword.js';
import { lookupKeyword } from '../keyword.js';
import { PROXY_KEYWORDS } from './registry.js';
import { HAPROXY_PROXY_KEYWORDS } from '../../../text/haproxy-names.js';
import { PROXY_KEYWORD_FAMILIES } from './proxy-keyword.js';
import { suggestion } from '../../../text/did-you-mean.js';
import { SECTION_KEYWORDS } from '../../sections.js';

const BY_NAME = new Map(PROXY_KEYWORDS.map((k) => [k.name, k]));
const HAPROXY_PROXY_NAMES: ReadonlySet<string> = new Set(HAPROXY_PROXY_KEYWORDS);
const SUPPORTED_NAMES = PROXY_KEYWORDS.filter((k) => k.status !== 'not-yet-supported').map((k) => k.name);

export function dispatchProxyLine(ctx: ProxyLineContext, words: readonly Word[]): void {
  const { proxy, sink } = ctx;
  let rest = words;
  let negated = false;
  if (rest[0]?.text === 'no' && rest.length > 1) {
    negated = true;
    rest = rest.slice(1);
  }
  const w0 = rest[0];
  if (!w0) return;
  const w1 = rest[1];
  const match = lookupKeyword(BY_NAME, rest);
  if (!match) {
    const family = (PROXY_KEYWORD_FAMILIES as readonly string[]).includes(w0.text) ? w0.text : undefined;
    if (family && w1) {
      const members = SUPPORTED_NAMES.filter((n) => n.startsWith(`${family} `)).map((n) => n.slice(family.length + 1));
      sink.alert(w1.pos, 'UNKNOWN_KEYWORD', `unknown '${family}' keyword '${w1.text}' in ${proxy.kind} section${suggestion(w1.text, members)}`);
    } else if (family) {
      sink.alert(w0.pos, 'MISSING_ARGUMENT', `'${family}' expects a keyword after it`);
    } else {
      // Section keywords are candidates too: `fronted fe` is a misspelt section header.
      sink.alert(w0.pos, 'UNKNOWN_KEYWORD', `unknown keyword '${w0.text}' in '${proxy.kind}' section${suggestion(w0.text, [...SUPPORTED_NAMES, ...SECTION_KEYWORDS])}`);
    }
    return;
  }
  const { desc, used } = match;
  const kw: Word = { text: desc.name, pos: w0.pos, quoted: w0.quoted };
  if (desc.status === 'not-yet-supported') {
    // A family registered by its first word (`stats`, `capture`) is named with its member.
    const shown = w1 !== undefined && HAPROXY_PROXY_NAMES.has(`${desc.name} ${w1.text}`) ? `${desc.name} ${w1.text}` : desc.name;
    sink.alert(w0.pos, 'NOT_SUPPORTED_YET', `'${shown}' is an HAProxy keyword truehop does not support yet`);
    return;
  }
  if (negated && !desc.negatable) {
    sink.alert(words[0]!.pos, 'BAD_VALUE', `'no' cannot be used with '${desc.name}'`);
    return;
  }
  if (!desc.sections.includes(proxy.kind)) {
    if (proxy.kind === 'defaults') {
      sink.alert(w0.pos, 'NOT_ALLOWED_IN_SECTION', `'${desc.name}' is not allowed in a defaults section`);
      return;
    }
    // A listen has both capabilities, so only frontends and backends can get here.
    const lacking = proxy.kind === 'frontend' ? 'backend' : 'frontend';
    const message = `'${desc.name}' ${desc.misplaced === 'alert' ? 'is not allowed' : 'is ignored'} because ${proxy.kind} '${proxy.name}' has no ${lacking} capability`;
    if (desc.misplaced === 'alert') sink.alert(w0.pos, 'NOT_ALLOWED_IN_SECTION', message);
    else sink.warning(w0.pos, 'IGNORED_IN_SECTION', message);
    return;
  }
  desc.apply(ctx, rest.slice(used), kw, negated);
}
