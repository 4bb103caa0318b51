import { isIPv4, isIPv6 } from 'node:net';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/**
 * The client's address as this app resolves it: the peer of the TCP connection; behind a
 * reverse proxy (MOTCUA_TRUST_PROXY=1) the address that proxy appended last to
 * X-Forwarded-For, as X-Forwarded-Proto is read (security-headers.ts). Earlier entries of the
 * header are the client's own word and never count. Null when neither is known (a request
 * made in-process, as tests do).
 */
export function clientAddress(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').pop()?.trim();
    if (forwarded && (isIPv4(forwarded) || isIPv6(forwarded))) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

/** Eight groups of an IPv6 address (`::` expanded), or null. */
function ipv6Groups(address: string): string[] | null {
  const [head, tail, extra] = address.toLowerCase().split('::');
  if (extra !== undefined) return null;
  const part = (s: string | undefined) => (s ? s.split(':') : []);
  const h = part(head);
  const t = part(tail);
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.length === 8 ? groups.map((g) => g.replace(/^0+(?=.)/, '')) : null;
}

/**
 * What a per-client limit counts: an IPv4 address (an IPv4-mapped IPv6 one as IPv4), or the
 * /64 network of an IPv6 address, since one subscriber usually holds a whole /64.
 */
export function rateLimitSubject(address: string | null): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (isIPv4(address)) return address;
  const groups = isIPv6(address) && !address.includes('.') ? ipv6Groups(address.split('%')[0]) : null;
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}
