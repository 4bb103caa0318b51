import { getHeapStatistics } from 'node:v8';
import type { Platform } from '../boot.ts';
import type { AppConfig } from '../config.ts';
import { demoAccounts, DEMO_PASSWORD } from '../seed.ts';
import { publicOrigin, publicOriginConfigured } from '../http/public-origin.ts';

/** The database as an operator recognises it, never with its password. */
export function describeDatabase(config: Pick<AppConfig, 'dialect' | 'database'>): string {
  if (config.dialect === 'sqlite') return `sqlite ${config.database}`;
  try {
    const url = new URL(config.database);
    const user = url.username ? ` as ${decodeURIComponent(url.username)}` : '';
    return `postgresql ${url.hostname}${url.port ? `:${url.port}` : ''}/${decodeURIComponent(url.pathname.slice(1))}${user}`;
  } catch {
    return 'postgresql (unparseable DATABASE_URL)';
  }
}

/** V8's heap limit for this process, as set by --max-old-space-size (or V8's default). */
export function heapCeilingMb(): number {
  return Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024);
}

export function baseUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/** Why `--demo` did not seed, when it did not. */
function demoNote(config: AppConfig, platform: Platform): string | null {
  if (!config.demo || platform.seeded.demo) return null;
  if (config.production) return 'demo data is never seeded in production (NODE_ENV=production)';
  if (config.dialect === 'postgresql') return 'demo data is never seeded on PostgreSQL';
  return 'demo data is only seeded into a new database: this one already has users';
}

/** The start banner: where to go, what runs, and what was created on first start. */
export function startBanner(config: AppConfig, platform: Platform, port: number): string[] {
  const url = baseUrl(config.host, port);
  const plugins = platform.services.plugins.info();
  const lines = [
    `motcua ${config.version} listening on ${url}`,
    `  database  ${describeDatabase(config)}`,
    `  plugins   ${plugins.length ? plugins.map((p) => `${p.id}@${p.version}`).join(', ') : '(none)'}`,
    `  public    ${publicOrigin(config)}${publicOriginConfigured(config) ? '' : ' (the listen address: set MOTCUA_PUBLIC_URL to the address people use)'}`,
    `  health    GET ${url}/api/health`,
    `  API       ${url}/api/openapi.json`,
    `  memory    V8 heap limit ${heapCeilingMb()} MB, all spaces (npm run serve sets --max-old-space-size=512, --max-semi-space-size=32 and --no-allocation-site-pretenuring, ADR 0011)`,
  ];
  if (config.host === '0.0.0.0' || config.host === '::') lines.push(`  listening on every network interface (HOST=${config.host})`);
  lines.push(...seedingLines(config, platform), '', '  Stop with Ctrl+C.');
  return lines;
}

/** What first start created (demo accounts, or the first admin and its one-time password). */
export function seedingLines(config: AppConfig, platform: Platform): string[] {
  const lines: string[] = [];
  const note = demoNote(config, platform);
  if (note) lines.push('', `  --demo: ${note}.`);
  if (platform.seeded.demo) {
    const width = Math.max(...demoAccounts.map((a) => a.username.length));
    lines.push(
      '',
      '  ***  DEMO ONLY: never use on real data  ***',
      `  Demo province seeded. Accounts (password "${DEMO_PASSWORD}"):`,
      ...demoAccounts.map((a) => `    ${a.username.padEnd(width)}  ${a.role} at ${a.unit}`),
    );
  }
  const admin = platform.seeded.firstAdmin;
  if (admin?.generatedPassword) {
    lines.push(
      '',
      `  First administrator created: username "${admin.username}", password: ${admin.generatedPassword}`,
      '  This password is shown ONLY ONCE: sign in now and change it (or set MOTCUA_ADMIN_PASSWORD before first start).',
    );
  } else if (admin) {
    lines.push('', `  First administrator created: username "${admin.username}", password from MOTCUA_ADMIN_PASSWORD.`);
  }
  return lines;
}
