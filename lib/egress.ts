import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * The one way out of gangway to an address a customer gave (portal logins, webhooks): https only, no
 * redirects, and never to this host or an internal network, unless EGRESS_ALLOWED_HOSTS names the host.
 * The address is checked where the connection is made, and the socket goes to exactly the address that
 * was checked, so a name that answers public then private (DNS rebinding) cannot get past it.
 */

export type Lookup = (hostname: string) => Promise<{ address: string; family?: number }[]>;
const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The error class a refused call records: neutral, so a view never becomes an internal port scanner. */
export const EGRESS_REFUSED = 'EGRESS_REFUSED';
export class EgressRefusedError extends Error {
  readonly code = EGRESS_REFUSED;
}

/** True for an address gangway must not call: loopback, private, link-local, multicast, reserved, and the IPv6 forms that wrap one. */
export function isRefusedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(bare) === 4) return refusedV4(bare.split('.').map(Number));
  if (isIP(bare) === 6) return refusedV6(v6Bytes(bare));
  return true;
}

function refusedV4([a, b, c]: number[]): boolean {
  return (
    a === 0 || // this network, unspecified
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b < 128) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b < 32) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 224 // multicast, reserved, broadcast
  );
}

function refusedV6(x: number[]): boolean {
  const zero = (from: number, to: number) => x.slice(from, to).every((v) => v === 0);
  const v4 = (at: number) => refusedV4(x.slice(at, at + 4));
  if (zero(0, 15) && (x[15] === 0 || x[15] === 1)) return true; // :: and ::1
  if (zero(0, 10) && x[10] === 0xff && x[11] === 0xff) return v4(12); // IPv4-mapped ::ffff:a.b.c.d
  if (zero(0, 8) && x[8] === 0xff && x[9] === 0xff && zero(10, 12)) return v4(12); // IPv4-translated
  if (zero(0, 12)) return v4(12); // IPv4-compatible ::a.b.c.d, deprecated
  if (x[0] === 0x00 && x[1] === 0x64 && x[2] === 0xff && x[3] === 0x9b) {
    // NAT64: the well-known prefix 64:ff9b::/96 wraps an IPv4 address; 64:ff9b:1::/48 is local use.
    return zero(4, 12) ? v4(12) : true;
  }
  if (x[0] === 0x20 && x[1] === 0x02) return v4(2); // 6to4 2002:a.b.c.d::/48
  if (x[0] === 0x20 && x[1] === 0x01 && x[2] === 0 && x[3] === 0) return true; // Teredo: the IPv4 is hidden
  if (x[0] === 0x20 && x[1] === 0x01 && x[2] === 0x0d && x[3] === 0xb8) return true; // documentation
  if (x[0] === 0x01 && x[1] === 0 && zero(2, 8)) return true; // discard-only 100::/64
  if ((x[0] & 0xfe) === 0xfc) return true; // unique local fc00::/7
  if (x[0] === 0xfe && (x[1] & 0x80) === 0x80) return true; // link-local fe80::/10, site-local fec0::/10
  return x[0] === 0xff; // multicast
}

/** The 16 bytes of an IPv6 address, embedded dotted quads included. */
function v6Bytes(address: string): number[] {
  let text = address.toLowerCase();
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const words = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

export interface EgressOptions {
  allowedHosts: readonly string[];
  /** Tests inject a resolver; production asks the system's. */
  lookup?: Lookup;
}

const INTERNAL = 'a loopback, private, link-local or otherwise internal address';
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

/** What is wrong with a URL before any lookup: not a URL, not https (unless allowed), an internal literal address. */
function staticProblem(
  url: string,
  allowed: ReadonlySet<string>,
): { problem: string } | { url: URL; allowed: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: 'not a URL' };
  }
  const host = hostOf(parsed);
  const isAllowed = allowed.has(host);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { problem: 'must be https' };
  if (!isAllowed && isIP(host) && isRefusedAddress(host)) return { problem: `${host} is ${INTERNAL}` };
  if (parsed.protocol === 'http:' && !isAllowed) return { problem: 'must be https' };
  if (parsed.username || parsed.password) return { problem: 'must not carry credentials' };
  return { url: parsed, allowed: isAllowed };
}

const allowSet = (hosts: readonly string[]) => new Set(hosts.map((h) => h.toLowerCase()));

/**
 * Why gangway may not call this URL, or null if it may (at the start of an onboarding, before the
 * first call). The check that counts is the one made at connection time by egressFetch.
 */
export async function egressProblem(url: string, options: EgressOptions): Promise<string | null> {
  const allowed = allowSet(options.allowedHosts);
  const checked = staticProblem(url, allowed);
  if ('problem' in checked) return checked.problem;
  const host = hostOf(checked.url);
  if (checked.allowed || isIP(host)) return null;
  let addresses: string[];
  try {
    addresses = (await (options.lookup ?? systemLookup)(host)).map((a) => a.address);
  } catch {
    return `${host} does not resolve`;
  }
  if (addresses.length === 0) return `${host} does not resolve`;
  const refused = addresses.find(isRefusedAddress);
  return refused ? `${host} resolves to ${refused}, ${INTERNAL}` : null;
}

/** A resolver for the socket: resolves once, refuses if any address is internal, hands over the checked ones. */
export function checkedLookup(options: EgressOptions): LookupFunction {
  const allowed = allowSet(options.allowedHosts);
  const lookup = options.lookup ?? systemLookup;
  const resolve = async (hostname: string) => {
    const found = await lookup(hostname);
    const addresses = found.map((a) => ({ address: a.address, family: a.family ?? isIP(a.address) }));
    if (addresses.length === 0) throw Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' });
    if (!allowed.has(hostname.toLowerCase()) && addresses.some((a) => isRefusedAddress(a.address)))
      throw new EgressRefusedError(`${hostname} resolves to an internal address`);
    return addresses;
  };
  return (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (addresses) => {
        if (lookupOptions.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

/**
 * fetch for customer-given URLs: checked before the call (scheme, literal addresses) and at connect
 * time (every resolved address), never following a redirect. A refusal rejects with an
 * EgressRefusedError (directly, or as the cause of fetch's TypeError).
 */
export function createEgressFetch(options: EgressOptions): typeof fetch {
  const allowed = allowSet(options.allowedHosts);
  const dispatcher = new Agent({ connect: { lookup: checkedLookup(options) } });
  const egressFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const checked = staticProblem(url, allowed);
    if ('problem' in checked) throw new EgressRefusedError(checked.problem);
    // undici's own fetch, for its dispatcher; its init type differs from the global one's only in name.
    return undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), redirect: 'manual', dispatcher });
  };
  return egressFetch;
}

/** True when a fetch failed because the egress guard refused it, whichever realm the error came from. */
export function isEgressRefusal(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string; cause?: { code?: string } } } | undefined;
  return e?.code === EGRESS_REFUSED || e?.cause?.code === EGRESS_REFUSED || e?.cause?.cause?.code === EGRESS_REFUSED;
}
