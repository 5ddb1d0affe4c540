// `stats auth <user>:<passwd>`: HTTP Basic authentication (RFC 7617) of the stats page.
import { Buffer } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import type { StatsUser } from '../model/config-model.js';

/** Longer Authorization values are refused unread: a stats user and password are short. */
const MAX_AUTHORIZATION_CHARS = 1024;

/** Equal strings, in time that does not depend on where they differ. */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when `authorization` is Basic credentials of one of `users`. */
export function checkBasicAuth(authorization: string | undefined, users: readonly StatsUser[]): boolean {
  if (authorization === undefined || authorization.length > MAX_AUTHORIZATION_CHARS) return false;
  const m = /^basic +([A-Za-z0-9+/=]+) *$/i.exec(authorization);
  if (m === null) return false;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  let ok = false;
  // Every user is compared, so the time taken does not tell which names exist.
  for (const u of users) if (sameText(u.user, user) && sameText(u.password, password)) ok = true;
  return ok;
}
