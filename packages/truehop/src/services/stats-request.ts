// What a request to the stats page asks for, read the way HAProxy reads it
// (src/http_ana.c http_stats_check_uri, http_handle_stats): the `stats uri` prefix matched
// against the path (with its query) when the prefix starts with '/', then the `;csv`,
// `;norefresh` and `;st=<code>` flags anywhere after the prefix; and the POSTed action form
// (`s=<server>&…&action=<ready|drain|maint>&b=<backend>`).
import { Buffer } from 'node:buffer';
import type http from 'node:http';

/** HAProxy's `;st=` result codes of an action (stat_status_codes), with the page's text. */
export const STATS_ACTION_STATUS = {
  DONE: 'DONE',
  NONE: 'NONE',
  PART: 'PART',
  ERRP: 'ERRP',
  DENY: 'DENY',
  UNKN: 'UNKN',
} as const;
export type StatsActionStatus = (typeof STATS_ACTION_STATUS)[keyof typeof STATS_ACTION_STATUS];

export const STATS_ACTION_TEXT: Readonly<Record<StatsActionStatus, string>> = {
  DONE: 'Action processed successfully.',
  NONE: 'Nothing has changed.',
  PART: 'Action partially processed.',
  ERRP: 'Action not processed because of invalid parameters.',
  DENY: 'Action denied.',
  UNKN: 'Unexpected result.',
};

/** The server actions the page offers (HAProxy's admin form: set state to READY/DRAIN/MAINT). */
export const STATS_ACTIONS = ['ready', 'drain', 'maint'] as const;
export type StatsActionName = (typeof STATS_ACTIONS)[number];

export interface StatsAction {
  readonly backend: string;
  readonly servers: readonly string[];
  readonly action: StatsActionName;
}

export interface StatsTarget {
  readonly csv: boolean;
  readonly noRefresh: boolean;
  readonly status: StatsActionStatus | undefined;
}

/** The part of a request target HAProxy compares with a '/' prefix: from the first '/' on, query included. */
function pathAndQuery(url: string): string {
  if (url.startsWith('/')) return url;
  const scheme = url.indexOf('://');
  if (scheme < 0) return '';
  const slash = url.indexOf('/', scheme + 3);
  return slash < 0 ? '' : url.slice(slash);
}

/** The stats request `url` makes, or undefined when it is not one (other path, other method). */
export function parseStatsUri(prefix: string, url: string, method: string): StatsTarget | undefined {
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return undefined;
  const target = prefix.startsWith('/') ? pathAndQuery(url) : url;
  if (!target.startsWith(prefix)) return undefined;
  const rest = target.slice(prefix.length);
  const st = /;st=([A-Z]{4})/.exec(rest)?.[1];
  let status: StatsActionStatus | undefined;
  if (st !== undefined) status = (Object.values(STATS_ACTION_STATUS) as string[]).includes(st) ? (st as StatsActionStatus) : 'UNKN';
  return { csv: rest.includes(';csv'), noRefresh: rest.includes(';norefresh'), status };
}

/**
 * Reads and decodes the action form of a POST; 'too-large' past `maxBytes` (the rest is not
 * read), undefined when a field is missing or the action unknown (HAProxy answers ERRP).
 */
export async function readActionForm(req: http.IncomingMessage, maxBytes: number): Promise<StatsAction | undefined | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return 'too-large';
    chunks.push(chunk);
  }
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const backend = form.get('b');
  const action = form.get('action');
  const servers = form.getAll('s');
  if (backend === null || action === null || servers.length === 0) return undefined;
  if (!(STATS_ACTIONS as readonly string[]).includes(action)) return undefined;
  return { backend, servers, action: action as StatsActionName };
}
