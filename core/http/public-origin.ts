import type { AppConfig } from '../config.ts';

type OriginConfig = Pick<AppConfig, 'publicUrl' | 'publicOrigins' | 'host' | 'port'>;

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

function listenOrigin(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/**
 * The origin the site is reached at, for every absolute link and printed address:
 * MOTCUA_PUBLIC_URL; else the first of MOTCUA_PUBLIC_ORIGINS (what earlier versions printed);
 * else the listen address, which is right for development only. Never the request's Host
 * header: anyone can send any Host, and a cached page would then spread their address.
 */
export function publicOrigin(config: OriginConfig): string {
  return config.publicUrl ?? config.publicOrigins[0] ?? listenOrigin(config.host, config.port);
}

/** Was the public origin configured, or only guessed from the listen address? */
export function publicOriginConfigured(config: OriginConfig): boolean {
  return !!config.publicUrl || config.publicOrigins.length > 0;
}

/**
 * Origins allowed to send state-changing cookie requests (CSRF, core/auth/middleware.ts):
 * the public origin and MOTCUA_PUBLIC_ORIGINS; without a configured origin, the listen
 * address under each of its loopback names (127.0.0.1 also as localhost, and back).
 */
export function trustedOrigins(config: OriginConfig): string[] {
  const origins = new Set([publicOrigin(config), ...config.publicOrigins]);
  if (!publicOriginConfigured(config) && (LOOPBACK.includes(config.host) || config.host === '0.0.0.0' || config.host === '::')) {
    for (const name of LOOPBACK) origins.add(listenOrigin(name, config.port));
  }
  return [...origins];
}

/** Plain http is only acceptable for a site on this machine (development, demo). */
export function publicOriginIsLocalHttp(config: OriginConfig): boolean {
  const url = new URL(publicOrigin(config));
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}
