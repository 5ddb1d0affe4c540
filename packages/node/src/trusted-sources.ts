// Which peers may send a PROXY header. A header is a claim about somebody else's address;
// believing it from anyone lets any client that can reach the port pick the address the
// application sees (address spoofing: bypassing IP allow-lists, rate limits, audit logs).
// The list is compiled once into a `net.BlockList` (STYLE.md §5, §10), so the per-connection
// cost is one `check()` with no string parsing.
import { BlockList, isIP } from 'node:net';
import { ProxyServerError } from './errors.js';

/**
 * Trusted senders of PROXY headers: CIDR blocks or single addresses, IPv4 and IPv6
 * (`'10.0.0.0/8'`, `'192.0.2.7'`, `'fd00::/8'`, `'::1'`), a ready `net.BlockList`, or a
 * predicate called with the peer's address as Node reports it.
 */
export type TrustedSources =
  | readonly string[]
  | BlockList
  | ((address: string, family: 'IPv4' | 'IPv6') => boolean);

/**
 * How many peer addresses the compiled check remembers. `BlockList.check(string)` builds a
 * native SocketAddress per call (measured ≈6 µs, the largest per-connection cost of this
 * package); the peers of a listener behind a proxy are a handful of proxy addresses, so a
 * small memo makes that ≈0. Bounded (cleared when full) so a flood from many source addresses
 * costs at most the uncached check and a few hundred KiB, never unbounded memory.
 */
export const TRUST_CACHE_ENTRIES = 4096;

/** Answers "may this peer send a header?" for an address as `socket.remoteAddress` gives it. */
export type TrustCheck = (address: string | undefined) => boolean;

/**
 * Compiles `trusted` into a check. Every entry is validated now, so a typo fails at start-up
 * rather than silently trusting nobody (or everybody) at run time.
 *
 * An IPv4 peer on a dual-stack (`::`) listener shows up as `::ffff:a.b.c.d`; `net.BlockList`
 * matches such IPv4-mapped addresses against IPv4 blocks (and the reverse), which a test pins.
 * A peer without an IP address (a UNIX-socket listener) is never in an IP list: with `trusted`
 * set it is untrusted — fail closed; file permissions, not CIDRs, guard a UNIX socket.
 */
export function compileTrustedSources(trusted: TrustedSources): TrustCheck {
  if (typeof trusted === 'function') {
    return (address) => {
      if (address === undefined) return false;
      const version = isIP(address);
      if (version === 0) return false;
      return trusted(address, version === 4 ? 'IPv4' : 'IPv6') === true;
    };
  }
  const check = (list: BlockList, address: string): boolean => {
    const version = isIP(address);
    if (version === 0) return false;
    return list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  };
  if (trusted instanceof BlockList) {
    // The caller's own BlockList may change at run time (rules added or removed): ask it every
    // time, no memo.
    return (address) => address !== undefined && check(trusted, address);
  }
  // Compiled from strings: immutable, so answers can be remembered.
  const list = compileList(trusted);
  const memo = new Map<string, boolean>();
  return (address) => {
    if (address === undefined) return false;
    const known = memo.get(address);
    if (known !== undefined) return known;
    const answer = check(list, address);
    if (memo.size >= TRUST_CACHE_ENTRIES) memo.clear();
    memo.set(address, answer);
    return answer;
  };
}

function compileList(entries: readonly string[]): BlockList {
  if (!Array.isArray(entries)) {
    throw new ProxyServerError('INVALID_OPTION', 'options.trusted must be an array of CIDR strings, a net.BlockList or a function');
  }
  if (entries.length === 0) {
    // An empty list trusts nobody: every connection would be refused (require mode) or every
    // header refused (optional mode) — a server that looks up but serves nothing. Almost
    // certainly a configuration that failed to load, so say it now.
    throw new ProxyServerError(
      'INVALID_OPTION',
      "options.trusted is an empty list: no peer could send a PROXY header; list your proxies' addresses (or leave trusted unset to accept a header from any peer)",
    );
  }
  const list = new BlockList();
  for (const entry of entries) {
    const { address, prefix, type } = parseCidr(entry);
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return list;
}

/** Parses `addr` or `addr/prefix`; throws INVALID_OPTION naming the bad entry and what is wrong with it. */
export function parseCidr(entry: unknown): { address: string; prefix: number | undefined; type: 'ipv4' | 'ipv6' } {
  if (typeof entry !== 'string') {
    throw new ProxyServerError('INVALID_OPTION', `options.trusted: every entry must be a string, got ${typeof entry}`);
  }
  const invalid = (what: string): ProxyServerError => new ProxyServerError('INVALID_OPTION', `options.trusted: "${entry}": ${what}`);
  const slash = entry.indexOf('/');
  const address = (slash === -1 ? entry : entry.slice(0, slash)).trim();
  if (address === '') throw invalid(slash === -1 ? 'empty entry' : 'no address before "/"');
  const version = isIP(address);
  if (version === 0) throw invalid(`"${address}" is not an IPv4 or IPv6 address`);
  const type = version === 4 ? 'ipv4' : 'ipv6';
  if (slash === -1) return { address, prefix: undefined, type };
  const prefixText = entry.slice(slash + 1).trim();
  const max = version === 4 ? 32 : 128;
  if (prefixText === '') throw invalid('no prefix length after "/"');
  if (!/^\d+$/.test(prefixText)) throw invalid(`the prefix length "${prefixText}" is not a number`);
  const prefix = Number(prefixText);
  if (prefixText.length > 3 || prefix > max) {
    throw invalid(`the prefix length ${prefixText} is outside 0–${max} (${version === 4 ? 'IPv4' : 'IPv6'})`);
  }
  return { address, prefix, type };
}
