import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppConfig } from '../config.ts';
import type { AppEnv } from './env.ts';

/**
 * Security headers of every response. hono's secureHeaders gives the usual ones
 * (X-Content-Type-Options, X-Frame-Options, Referrer-Policy, Cross-Origin-*); on top:
 *
 * - HTML pages get a strict Content-Security-Policy: only this origin's resources, no inline
 *   script or style (the pages link served stylesheets), no plugins, no <base>, no framing,
 *   forms posting only here. Everything else (JSON, problems, stylesheets, zips) gets a policy
 *   that allows nothing, so a response opened as a document can run nothing either.
 * - A Permissions-Policy turning off the powerful browser features no page of ours uses.
 * - Strict-Transport-Security only with a request that came over https: over plain http
 *   browsers ignore it, and a plain-http deployment must not tell them otherwise. Behind a
 *   reverse proxy that ends TLS, its X-Forwarded-Proto counts when MOTCUA_TRUST_PROXY=1.
 */

export const HTML_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The clerk UI (/app/, app-ui.ts): the HTML policy, and Shoelace's built-in icons, which it
 * fetches from data: URLs it holds itself. Still no inline or foreign script, and styles only
 * from this origin or constructed by the scripts (lit, Shoelace).
 */
export const APP_CSP = `${HTML_CSP}; connect-src 'self' data:`;

export const NOTHING_CSP = "default-src 'none'; frame-ancestors 'none'";

export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'camera=()',
  'display-capture=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'payment=()',
  'usb=()',
].join(', ');

const HSTS = 'max-age=31536000; includeSubDomains';

/** Did the client reach us over https (itself, or by the trusted proxy's word)? */
export function cameOverHttps(c: Context, trustProxy: boolean): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  if (!trustProxy) return false;
  // The proxy nearest to us appends last; a single proxy sends one value.
  const forwarded = c.req.header('x-forwarded-proto')?.split(',').pop()?.trim().toLowerCase();
  return forwarded === 'https';
}

export function securityHeaders(config: Pick<AppConfig, 'trustProxy'>): MiddlewareHandler<AppEnv> {
  const common = secureHeaders({ strictTransportSecurity: false });
  return (c, next) =>
    common(c, async () => {
      await next();
      const headers = c.res.headers;
      const html = (headers.get('content-type') ?? '').startsWith('text/html');
      if (!headers.has('content-security-policy')) headers.set('content-security-policy', html ? HTML_CSP : NOTHING_CSP);
      headers.set('permissions-policy', PERMISSIONS_POLICY);
      if (cameOverHttps(c, config.trustProxy)) headers.set('strict-transport-security', HSTS);
    });
}
