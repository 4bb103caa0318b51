import { afterAll, beforeAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, type AppConfig } from '../../core/config.ts';
import { ManualClock } from '../../core/clock.ts';
import { createPlatform, type Platform } from '../../core/boot.ts';
import { seedDemo, DEMO_PASSWORD } from '../../core/seed.ts';
import type { PluginDefinition } from '../../core/plugin-host/define-plugin.ts';
import { createLogger } from '../../core/logger.ts';

export type TestDialect = 'sqlite' | 'postgresql';

/** Which database this test project runs on (set per vitest project in vitest.config.ts). */
export function testDialect(): TestDialect {
  return process.env.MOTCUA_TEST_DIALECT === 'postgresql' ? 'postgresql' : 'sqlite';
}

export interface TestDatabase {
  dialect: TestDialect;
  /** SQLite file or PostgreSQL URL of a database no other test file uses. */
  database: string;
  drop(): Promise<void>;
}

/**
 * An isolated, empty database: a fresh SQLite file, or a fresh PostgreSQL database created
 * on the TEST_DATABASE_URL server and dropped afterwards.
 */
export async function createTestDatabase(dialect: TestDialect = testDialect()): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-test-'));
    return { dialect, database: join(dir, 'motcua.sqlite'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set: the PostgreSQL project runs only with a server (docs/testing.md)');
  const name = `motcua_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    dialect,
    database: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestPlatformOptions {
  plugins?: PluginDefinition[];
  /** Seed the demo province (default true). */
  demo?: boolean;
  config?: Partial<AppConfig>;
  clock?: ManualClock;
}

export interface TestPlatform {
  platform: Platform;
  clock: ManualClock;
  db: TestDatabase;
  /** A browser-like client: keeps the session cookie, sends a same-origin Origin header. */
  client(): TestClient;
  /** Signs a demo account in (password "demo") and returns its client. */
  login(username: string, password?: string): Promise<TestClient>;
  close(): Promise<void>;
}

export const ORIGIN = 'http://localhost';

export class TestClient {
  cookie: string | null = null;
  headers: Record<string, string> = { origin: ORIGIN };
  constructor(private readonly platform: Platform) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const h: Record<string, string> = { ...this.headers, ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (body !== undefined) h['content-type'] ??= 'application/json';
    const res = await this.platform.app.request(`${ORIGIN}${path}`, {
      method,
      headers: h,
      // A string or bytes as they are (uploads), anything else as JSON.
      body:
        body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) {
      const [pair] = set.split(';');
      this.cookie = /=$/.test(pair) || /Max-Age=0/i.test(set) ? null : pair;
    }
    return res;
  }
  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, undefined, headers);
  }
  post(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request('POST', path, body ?? {}, headers);
  }
  patch(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request('PATCH', path, body, headers);
  }
  delete(path: string, headers?: Record<string, string>) {
    return this.request('DELETE', path, undefined, headers);
  }
}

export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const db = await createTestDatabase();
  const clock = options.clock ?? new ManualClock('2026-03-02T01:00:00.000Z');
  const env = db.dialect === 'postgresql' ? { DATABASE_URL: db.database } : {};
  // The site's public origin is the one TestClient sends (MOTCUA_PUBLIC_URL), whatever Host a request names.
  const config = loadConfig({ ...env, MOTCUA_LOG_LEVEL: 'silent' }, { database: db.database, publicUrl: ORIGIN, ...options.config });
  let platform: Platform;
  try {
    platform = await createPlatform({ config, plugins: options.plugins, clock, seedAdmin: false, log: createLogger('silent') });
  } catch (err) {
    await db.drop();
    throw err;
  }
  // Demo data on both dialects in tests (the product seeds it only on a new embedded database).
  if (options.demo !== false) await seedDemo(platform.services);
  const t: TestPlatform = {
    platform,
    clock,
    db,
    client: () => new TestClient(platform),
    async login(username, password = DEMO_PASSWORD) {
      const client = new TestClient(platform);
      const res = await client.post('/api/auth/login', { username, password });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
      return client;
    },
    async close() {
      await platform.close();
      await db.drop();
    },
  };
  return t;
}

/**
 * Starts one platform for the test file (beforeAll) and closes it (afterAll). On the
 * PostgreSQL project without TEST_DATABASE_URL no hook runs at all: vitest.config.ts skips the
 * project's tests before they start, so neither this nor a test file needs to check.
 */
export function useTestPlatform(options: TestPlatformOptions = {}): { readonly t: TestPlatform } {
  let t: TestPlatform | undefined;
  beforeAll(async () => {
    t = await startTestPlatform(options);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });
  return {
    get t() {
      if (!t) throw new Error('test platform not started');
      return t;
    },
  };
}
