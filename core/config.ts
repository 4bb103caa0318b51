import { z } from 'zod';
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';

/**
 * Configuration comes from environment variables (documented in README.md).
 * Everything has a safe default so `npm start` works on a fresh machine.
 */
const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().optional(),
  MOTCUA_DATA_DIR: z.string().default('data'),
  MOTCUA_PLUGINS: z.string().default(''),
  MOTCUA_CONFIG_FILE: z.string().optional(),
  MOTCUA_ADMIN_PASSWORD: z.string().optional(),
  MOTCUA_PUBLIC_URL: z.string().optional(),
  MOTCUA_PUBLIC_ORIGINS: z.string().default(''),
  MOTCUA_TRUST_PROXY: z.enum(['0', '1']).default('0'),
  MOTCUA_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  MOTCUA_BPMN_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  MOTCUA_ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  MOTCUA_MESSAGE_TTL_HOURS: z.coerce.number().positive().default(72),
  MOTCUA_MESSAGE_RETENTION_DAYS: z.coerce.number().positive().default(90),
  MOTCUA_SESSION_IDLE_MINUTES: z.coerce.number().positive().default(30),
  MOTCUA_SESSION_ABSOLUTE_HOURS: z.coerce.number().positive().default(12),
  MOTCUA_JOB_POLL_MS: z.coerce.number().int().positive().default(1000),
  MOTCUA_AUDIT_CHAINS: z.coerce.number().int().min(1).max(256).optional(),
  MOTCUA_PORTAL_SENDER: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9-]{1,39}$/, 'none, file, or the name of a sender a plugin offers')
    .default('none'),
  MOTCUA_PORTAL_DIR: z.string().optional(),
  MOTCUA_PORTAL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  MOTCUA_LOG_LEVEL: z.enum(['silent', 'error', 'info', 'debug']).default('info'),
});

export type Dialect = 'sqlite' | 'postgresql';

export interface AppConfig {
  env: string;
  production: boolean;
  port: number;
  host: string;
  dialect: Dialect;
  /** postgres URL, or the SQLite file path (':memory:' allowed in tests). */
  database: string;
  plugins: string[];
  pluginConfig: Record<string, unknown>;
  adminPassword?: string;
  /**
   * Origin the public reaches the site at (MOTCUA_PUBLIC_URL, e.g. `https://motcua.bacninh.gov.vn`):
   * every absolute link and the CSRF check use it, never the request's Host header. Unset: the
   * first of `publicOrigins`, else the listen address (see core/http/public-origin.ts).
   */
  publicUrl?: string;
  /** Further origins allowed to send state-changing cookie requests (MOTCUA_PUBLIC_ORIGINS). */
  publicOrigins: string[];
  /** Believe the reverse proxy's X-Forwarded-Proto (MOTCUA_TRUST_PROXY=1): it says whether the client used https. */
  trustProxy: boolean;
  bodyLimitBytes: number;
  /** Largest BPMN file accepted for deployment. */
  bpmnMaxBytes: number;
  /** Largest dossier attachment (a scan) accepted by its upload route (MOTCUA_ATTACHMENT_MAX_BYTES, default 20 MiB). */
  attachmentMaxBytes: number;
  /** How long a message nobody waits for stays buffered (MOTCUA_MESSAGE_TTL_HOURS, default 72). */
  messageTtlMs: number;
  /** Messages no longer buffered are deleted this long after they were published (MOTCUA_MESSAGE_RETENTION_DAYS). */
  messageRetentionMs: number;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  logLevel: 'silent' | 'error' | 'info' | 'debug';
  /** Independent audit hash chains (ADR 0003): more lets concurrent commands append in parallel. */
  auditChains: number;
  /** Pause between the job runner's polls for due jobs (timers). */
  jobPollMs: number;
  /**
   * Who sends dossier changes to the national portal (docs/portal-sync.md): `none` (rows wait),
   * `file` (JSON files into `portalDir`), or a sender a plugin contributes (MOTCUA_PORTAL_SENDER).
   */
  portalSender: string;
  /** The file sender's folder (MOTCUA_PORTAL_DIR, default `<MOTCUA_DATA_DIR>/portal-outbox`). */
  portalDir: string;
  /** Attempts before a change is marked failed (MOTCUA_PORTAL_MAX_ATTEMPTS, default 8). */
  portalMaxAttempts: number;
  /** Seed the demo province on a new embedded database. */
  demo: boolean;
  version: string;
}

/**
 * Demo mode: `--demo` on the embedded SQLite database outside production. Only there is the demo
 * province seeded (core/seed.ts) and the demo password accepted; never on PostgreSQL.
 */
export function isDemoMode(config: Pick<AppConfig, 'demo' | 'dialect' | 'production'>): boolean {
  return config.demo && config.dialect === 'sqlite' && !config.production;
}

export function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}

/** An http(s) origin without path, query or credentials, normalised (`https://a.example`). */
export function parseOrigin(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an absolute URL such as https://motcua.bacninh.gov.vn (got "${value}")`);
  }
  if (!['http:', 'https:'].includes(url.protocol)) throw new Error(`${name} must start with https:// or http:// (got "${value}")`);
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new Error(`${name} must be an origin only, without path, query or credentials (got "${value}")`);
  }
  return url.origin;
}

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  const url = e.DATABASE_URL?.trim();
  const isPg = !!url && /^postgres(ql)?:\/\//.test(url);
  if (url && !isPg)
    throw new Error(
      `DATABASE_URL must start with postgres:// (got "${url.split(':')[0]}:…"); leave it unset for the embedded SQLite database`,
    );
  let pluginConfig: Record<string, unknown> = {};
  if (e.MOTCUA_CONFIG_FILE) {
    const file = JSON.parse(readFileSync(e.MOTCUA_CONFIG_FILE, 'utf8')) as { plugins?: Record<string, unknown> };
    pluginConfig = file.plugins ?? {};
  }
  return {
    env: e.NODE_ENV,
    production: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    dialect: isPg ? 'postgresql' : 'sqlite',
    database: isPg ? url! : resolve(e.MOTCUA_DATA_DIR, 'motcua.sqlite'),
    plugins: e.MOTCUA_PLUGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    pluginConfig,
    adminPassword: e.MOTCUA_ADMIN_PASSWORD,
    publicUrl: e.MOTCUA_PUBLIC_URL?.trim() ? parseOrigin('MOTCUA_PUBLIC_URL', e.MOTCUA_PUBLIC_URL.trim()) : undefined,
    publicOrigins: e.MOTCUA_PUBLIC_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    trustProxy: e.MOTCUA_TRUST_PROXY === '1',
    bodyLimitBytes: e.MOTCUA_BODY_LIMIT_BYTES,
    bpmnMaxBytes: e.MOTCUA_BPMN_MAX_BYTES,
    attachmentMaxBytes: e.MOTCUA_ATTACHMENT_MAX_BYTES,
    messageTtlMs: e.MOTCUA_MESSAGE_TTL_HOURS * 3_600_000,
    messageRetentionMs: e.MOTCUA_MESSAGE_RETENTION_DAYS * 86_400_000,
    sessionIdleMs: e.MOTCUA_SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.MOTCUA_SESSION_ABSOLUTE_HOURS * 3_600_000,
    logLevel: e.MOTCUA_LOG_LEVEL,
    // PostgreSQL: 16 chains, so concurrent commands on several nodes do not queue on one head row
    // (ADR 0003). SQLite has a single writer: more chains would buy nothing.
    auditChains: e.MOTCUA_AUDIT_CHAINS ?? (isPg ? 16 : 1),
    jobPollMs: e.MOTCUA_JOB_POLL_MS,
    portalSender: e.MOTCUA_PORTAL_SENDER,
    portalDir: resolve(e.MOTCUA_PORTAL_DIR ?? resolve(e.MOTCUA_DATA_DIR, 'portal-outbox')),
    portalMaxAttempts: e.MOTCUA_PORTAL_MAX_ATTEMPTS,
    demo: false,
    version: readVersion(),
    ...overrides,
  };
}
