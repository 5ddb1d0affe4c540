// Every keyword of the proxy sections, in the order the generated docs list them: the ones
// truehop implements (one file per family), then every other HAProxy proxy keyword as "not
// supported yet" (text/haproxy-names.ts).
import { ALL_PROXY_SECTIONS, notYetSupported } from '../keyword.js';
import { HAPROXY_PROXY_KEYWORDS } from '../../../text/haproxy-names.js';
import type { ProxyKeyword } from './proxy-keyword.js';
import { PROXY_KEYWORD_FAMILIES } from './proxy-keyword.js';
import { SETTING_KEYWORDS, BALANCE_KEYWORD } from './settings.js';
import { TIMEOUT_KEYWORDS } from './timeouts.js';
import { LOGGING_KEYWORDS } from './logging.js';
import { ROUTING_KEYWORDS } from './routing.js';
import { LISTENER_AND_SERVER_KEYWORDS } from './servers.js';
import { CHECK_KEYWORDS } from './checks.js';
import { HTTP_SERVICE_KEYWORDS } from './http-services.js';

const IMPLEMENTED: readonly ProxyKeyword[] = [
  ...SETTING_KEYWORDS,
  ...TIMEOUT_KEYWORDS,
  ...LOGGING_KEYWORDS,
  ...ROUTING_KEYWORDS,
  BALANCE_KEYWORD,
  ...LISTENER_AND_SERVER_KEYWORDS,
  ...CHECK_KEYWORDS,
  ...HTTP_SERVICE_KEYWORDS,
];

/**
 * Every other keyword of HAProxy's proxy sections (text/haproxy-names.ts): "not supported
 * yet", never "unknown". A family truehop does not implement at all (`stats uri`, `capture
 * request header`, `stick on`) is registered by its first word, so any member is covered;
 * `timeout` and `option` members by their full name; the sub-words of a keyword truehop does
 * implement (`tcp-request`, `http-check`, `tcp-check`) are left to that keyword's parser.
 */
function notYetNames(implemented: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const name of HAPROXY_PROXY_KEYWORDS) {
    if (implemented.has(name)) continue;
    const first = name.split(' ')[0] as string;
    if (implemented.has(first)) continue;
    out.add((PROXY_KEYWORD_FAMILIES as readonly string[]).includes(first) ? name : first);
  }
  return [...out];
}


const NOT_YET: readonly ProxyKeyword[] = notYetNames(new Set(IMPLEMENTED.map((k) => k.name))).map((name) => ({
  ...notYetSupported(name, 0, 'HAProxy proxy keyword; not supported by truehop yet'),
  syntax: '…',
  sections: ALL_PROXY_SECTIONS,
  misplaced: 'alert' as const,
  negatable: name.startsWith('option '),
  apply: () => undefined,
}));

export const PROXY_KEYWORDS: readonly ProxyKeyword[] = [...IMPLEMENTED, ...NOT_YET];

// Guard against a name being both implemented and listed as not supported yet.
{
  const names = new Set<string>();
  for (const k of PROXY_KEYWORDS) {
    if (names.has(k.name)) throw new Error(`proxy keyword '${k.name}' is registered twice`);
    names.add(k.name);
  }
}
