import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createTestDatabase, testDialect, type TestDatabase } from '../../tests/support/platform.ts';
import { core } from '../modules/index.ts';
import { cliEnv, motcuaBin, repoRoot, runMotcua as motcua, sqlOn as sql } from '../../tests/support/cli.ts';
import { demoAccounts, DEMO_PASSWORD } from '../seed.ts';

const coreMigrations = core.migrations;

const dialect = testDialect();

describe(`motcua CLI (${dialect})`, { timeout: 120_000 }, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('migrates an empty database once, without seeding anything', async () => {
    const first = await motcua(db, ['migrate']);
    expect(first.stderr).toBe('');
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain(`applied ${coreMigrations.length} migration`);
    for (const m of coreMigrations) expect(first.stdout).toContain(m.name);
    const again = await motcua(db, ['migrate']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('up to date');
    const [users] = await sql<{ n: number }[]>(db, 'SELECT COUNT(*) AS n FROM users');
    expect(Number(users.n)).toBe(0);
  });

  it('adds units and lists them as an indented tree', async () => {
    expect((await motcua(db, ['unit', 'add', 'BN', '--name', 'Tỉnh Bắc Ninh', '--level', 'province'])).code).toBe(0);
    expect((await motcua(db, ['unit', 'add', 'BN.STP', '--name', 'Sở Tư pháp', '--level', 'department', '--parent', 'BN'])).code).toBe(0);
    expect((await motcua(db, ['unit', 'add', 'BN.STP.Q1', '--name', 'Quầy 1', '--level', 'desk', '--parent', 'BN.STP'])).code).toBe(0);
    const list = await motcua(db, ['unit', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n').filter(Boolean)).toEqual([
      'BN  Tỉnh Bắc Ninh (province)',
      '  BN.STP  Sở Tư pháp (department)',
      '    BN.STP.Q1  Quầy 1 (desk)',
    ]);
  });

  it('refuses a duplicate unit with "error <code>: <message>", exit 2 and no stack trace', async () => {
    const dup = await motcua(db, ['unit', 'add', 'BN', '--name', 'again', '--level', 'province']);
    expect(dup.code).toBe(2);
    expect(dup.stderr.trim()).toBe('error unit.exists: Unit code "BN" is taken');
    const missing = await motcua(db, ['user', 'disable', 'nobody']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error user\.not_found: /);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expect((await motcua(db, ['unit', 'add', 'BN2', '--name', 'x', '--level', 'district'])).code).toBe(2);
  });

  it('adds a user with roles and prints the generated password once', async () => {
    const add = await motcua(db, [
      'user',
      'add',
      'an',
      '--name',
      'Nguyễn Văn An',
      '--unit',
      'BN.STP',
      '--sex',
      'male',
      '--role',
      'specialist',
      '--role',
      'auditor@BN',
    ]);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('user an created in BN.STP with specialist@BN.STP, auditor@BN');
    expect(add.stdout).toMatch(/password for an: \S{12,}/);
    const given = await motcua(db, ['user', 'add', 'binh', '--name', 'Trần Thị Bình', '--password', 'ca-phe-sua-da-9']);
    expect(given.code).toBe(0);
    expect(given.stdout).not.toContain('password');
    const list = await motcua(db, ['user', 'list']);
    expect(list.stdout).toMatch(/^an\s+Nguyễn Văn An\s+BN\.STP\s+active\s+auditor@BN, specialist@BN\.STP$/m);
    expect(list.stdout).toMatch(/^binh\s+Trần Thị Bình\s+-\s+active\s+-$/m);
  });

  it('disables, enables and unlocks a user; grants and revokes roles', async () => {
    await sql(db, "UPDATE users SET failed_logins = 10, locked_at = '2026-01-01T00:00:00.000Z' WHERE username = 'binh'");
    expect((await motcua(db, ['user', 'list'])).stdout).toMatch(/^binh\s.*\slocked\s/m);
    expect((await motcua(db, ['user', 'unlock', 'binh'])).stdout).toContain('user binh unlocked');
    expect((await motcua(db, ['user', 'disable', 'an'])).stdout).toContain('user an disabled');
    const list = await motcua(db, ['user', 'list']);
    expect(list.stdout).toMatch(/^an\s.*\sdisabled\s/m);
    expect(list.stdout).toMatch(/^binh\s.*\sactive\s/m);
    expect((await motcua(db, ['user', 'enable', 'an'])).code).toBe(0);
    expect((await motcua(db, ['role', 'grant', 'binh', 'leader', 'BN.STP'])).code).toBe(0);
    expect((await motcua(db, ['role', 'revoke', 'binh', 'leader', 'BN.STP'])).code).toBe(0);
    const again = await motcua(db, ['role', 'revoke', 'binh', 'leader', 'BN.STP']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error role\.assignment_not_found: /);
    const [{ failed_logins }] = await sql<{ failed_logins: number }[]>(db, "SELECT failed_logins FROM users WHERE username = 'binh'");
    expect(Number(failed_logins)).toBe(0);
  });

  it('renames and retires units, and resets a password', async () => {
    expect((await motcua(db, ['unit', 'rename', 'BN.STP.Q1', '--name', 'Quầy số 1'])).stdout).toContain(
      'unit BN.STP.Q1 renamed to "Quầy số 1"',
    );
    expect((await motcua(db, ['unit', 'add', 'BN.XA', '--name', 'Xã An', '--level', 'commune', '--parent', 'BN'])).code).toBe(0);
    const retire = await motcua(db, ['unit', 'retire', 'BN.XA', '--successor', 'BN', '--date', '2020-01-31']);
    expect(retire.stdout).toContain('unit BN.XA retired: 2020-01-31 is its last day, succeeded by BN');
    const list = await motcua(db, ['unit', 'list']);
    expect(list.stdout).toContain('    BN.STP.Q1  Quầy số 1 (desk)\n');
    expect(list.stdout).toContain('  BN.XA  Xã An (commune)  [retired, last day 2020-01-31, → BN]\n');
    const passwd = await motcua(db, ['user', 'passwd', 'binh']);
    expect(passwd.code).toBe(0);
    expect(passwd.stdout).toMatch(/password for binh: \S{12,}/);
    const weak = await motcua(db, ['user', 'passwd', 'binh', '--password', 'binh1234']);
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/^error auth\.weak_password: /);
  });

  it('audits every change as cli:<os user>', async () => {
    const rows = await sql<{ actor_name: string; action: string }[]>(db, 'SELECT actor_name, action FROM audit_log ORDER BY id');
    expect(new Set(rows.map((r) => r.actor_name))).toEqual(new Set(['cli:tester']));
    expect(rows.map((r) => r.action)).toEqual([
      'unit.created',
      'unit.created',
      'unit.created',
      'user.created',
      'role.granted',
      'role.granted',
      'user.created',
      'user.unlocked',
      'user.disabled',
      'user.enabled',
      'role.granted',
      'role.revoked',
      'unit.updated',
      'unit.created',
      'unit.updated',
      'user.password_reset',
    ]);
  });

  it('verifies the audit chain, then names the record someone edited in the database', async () => {
    const ok = await motcua(db, ['audit', 'verify']);
    expect(ok.code).toBe(0);
    const [target] = await sql<{ id: number; chain: number; seq: number }[]>(
      db,
      "SELECT id, chain, seq FROM audit_log WHERE action = 'user.created' ORDER BY id LIMIT 1",
    );
    // SQLite keeps one chain by default, PostgreSQL spreads records over 16 (ADR 0003).
    const chains = await sql<{ chain: number }[]>(db, 'SELECT DISTINCT chain FROM audit_heads');
    if (chains.length === 1) {
      expect(ok.stdout.trim()).toMatch(/^audit chain OK: 16 records, head 16 [0-9a-f]{64}$/);
    } else {
      expect(ok.stdout).toContain(`audit chain OK: 16 records in ${chains.length} chains`);
      expect(ok.stdout.match(/^ +chain +\d+ +head \d+ [0-9a-f]{64}$/gm)).toHaveLength(chains.length);
    }
    await sql(db, 'UPDATE audit_log SET summary = ? WHERE id = ?', [
      JSON.stringify({ username: 'an', displayName: 'someone else', unit: 'BN.STP' }),
      target.id,
    ]);
    const broken = await motcua(db, ['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('audit chain BROKEN: 1 problem');
    const where = chains.length === 1 ? '' : `chain ${target.chain} `;
    expect(broken.stdout).toMatch(
      new RegExp(`altered\\s+${where}seq ${target.seq} \\(id ${target.id}\\): record ${target.seq} .*user\\.created`),
    );
  });
});

/** `motcua serve` in a child process: waits for the banner and reads the port from it. */
class Server {
  readonly output: string[] = [];
  private constructor(readonly child: ChildProcess) {}

  static start(db: TestDatabase, args: string[], extra?: Record<string, string>): Promise<Server & { port: number }> {
    const child = spawn(process.execPath, [motcuaBin, 'serve', '--port', '0', ...args], {
      cwd: repoRoot,
      env: cliEnv(db, extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    const server = new Server(child);
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        server.output.push(chunk.toString());
        const text = server.banner;
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
        if (m && text.includes('Stop with Ctrl+C')) resolve(Object.assign(server, { port: Number(m[1]) }));
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => server.output.push(chunk.toString()));
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${server.banner}`)));
    });
  }

  get banner(): string {
    return this.output.join('');
  }

  stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.kill('SIGTERM');
    });
  }
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function login(port: number, username: string, password: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` },
    body: JSON.stringify({ username, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe(`motcua serve (${dialect})`, { timeout: 120_000 }, () => {
  const dbs: TestDatabase[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) await d.drop();
  });
  async function freshDb(): Promise<TestDatabase> {
    const d = await createTestDatabase(dialect);
    dbs.push(d);
    return d;
  }

  it.runIf(dialect === 'sqlite')(
    'starts with --demo on a free port, answers health, lets every demo account in, stops on SIGTERM',
    async () => {
      const server = await Server.start(await freshDb(), ['--demo']);
      expect(server.banner).toContain('DEMO ONLY');
      expect(server.banner).toContain(`GET http://127.0.0.1:${server.port}/api/health`);
      expect(server.banner).toContain('/api/openapi.json');
      expect(server.banner).toMatch(/database {2}sqlite .*motcua\.sqlite/);
      const health = await fetch(`http://127.0.0.1:${server.port}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', database: { dialect: 'sqlite', reachable: true } });
      for (const account of demoAccounts) {
        expect(server.banner).toContain(account.username);
        expect(await login(server.port, account.username, DEMO_PASSWORD), account.username).toBe(200);
      }
      expect(await server.stop()).toBe(0);
      expect(server.banner).toContain('SIGTERM: shutting down');
    },
  );

  it('seeds the first admin instead of demo data, and says why', async () => {
    const db = await freshDb();
    // PostgreSQL: the password comes from the environment; SQLite: generated and printed once.
    const extra: Record<string, string> = dialect === 'postgresql' ? { MOTCUA_ADMIN_PASSWORD: 'non-la-hue-2026' } : {};
    const server = await Server.start(db, dialect === 'postgresql' ? ['--demo'] : [], extra);
    let password = extra.MOTCUA_ADMIN_PASSWORD;
    if (dialect === 'postgresql') {
      expect(server.banner).toContain('demo data is never seeded on PostgreSQL');
      expect(server.banner).toContain('password from MOTCUA_ADMIN_PASSWORD');
      expect(server.banner).not.toContain(password);
      expect(server.banner).toMatch(/database {2}postgresql 127\.0\.0\.1:5432\/motcua_t_\w+/);
      expect(server.banner).not.toContain('DEMO ONLY');
    } else {
      const m = /First administrator created: username "admin", password: (\S+)/.exec(server.banner);
      expect(m).not.toBeNull();
      password = m![1];
      expect(server.banner).toContain('shown ONLY ONCE');
    }
    expect((await fetch(`http://127.0.0.1:${server.port}/api/health`)).status).toBe(200);
    expect(await login(server.port, 'admin', password)).toBe(200);
    expect(await login(server.port, 'clerk', DEMO_PASSWORD)).toBe(401);
    expect(await server.stop()).toBe(0);
  });
});
