import { describe, expect, it } from 'vitest';
import { hash } from '@node-rs/argon2';
import { useTestPlatform } from '../../tests/support/platform.ts';
import { generatePassword, hashPassword, needsRehash, passwordProblems, verifyPassword } from './passwords.ts';

const ctx = useTestPlatform();
const GOOD = 'Ha-Long-Bay-2026!';
const PHC = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

async function storedHash(username: string): Promise<string | null> {
  const [row] = await ctx.t.platform.services.db
    .em()
    .execute<{ password_hash: string }[]>('SELECT password_hash FROM users WHERE username = ?', [username]);
  return row?.password_hash ?? null;
}

async function expectWeak(res: Response, reason: RegExp) {
  expect(res.status).toBe(422);
  const body = await res.json();
  expect(body.code).toBe('auth.weak_password');
  expect(body.problems.join('; ')).toMatch(reason);
}

const weak: [string, string, RegExp][] = [
  ['too short', 'Ab1!xyz', /at least 8 characters/],
  ['common', 'password1', /commonly used/],
  ['common digits', '12345678', /commonly used/],
  ['common, other case', 'PASSWORD1', /commonly used/],
  ['contains the username', 'xx-NgUyEnVanA-2026', /username/],
];

describe('password policy', () => {
  it.each(weak)('refuses %s', (_label, password, reason) => {
    expect(passwordProblems(password, 'nguyenvana').join('; ')).toMatch(reason);
  });

  it('accepts a long uncommon password and counts characters, not bytes', () => {
    expect(passwordProblems(GOOD, 'nguyenvana')).toEqual([]);
    expect(passwordProblems('Hà Nội ơi', 'x1')).toEqual([]);
    expect(passwordProblems('ờ'.repeat(7))).toEqual(['at least 8 characters']);
    expect(passwordProblems('a'.repeat(129)).join()).toMatch(/at most 128/);
  });

  it('generates passwords that pass the policy, drawing again when a draw contains the username', () => {
    const draws = ['xxanxxxxxxxxxxxx', 'qwertyuiopasdfgh'];
    expect(generatePassword('an', () => draws.shift()!)).toBe('qwertyuiopasdfgh');
    for (let i = 0; i < 50; i++) expect(passwordProblems(generatePassword('ab'), 'ab')).toEqual([]);
  });

  it.each(weak)('is enforced when an admin creates a user (%s)', async (_label, password, reason) => {
    const admin = await ctx.t.login('admin');
    await expectWeak(
      await admin.post('/api/users', { username: 'nguyenvana', displayName: 'Nguyễn Văn A', unitId: 'DEMO.STP', password }),
      reason,
    );
    expect(await storedHash('nguyenvana')).toBeNull();
  });

  it('is enforced when an admin resets a password, and when users change their own', async () => {
    const admin = await ctx.t.login('admin');
    const created = await admin.post('/api/users', { username: 'tranthib', displayName: 'Trần Thị B', unitId: 'DEMO.SXD', password: GOOD });
    expect(created.status).toBe(201);
    const { user } = await created.json();
    const before = await storedHash('tranthib');
    for (const [, password, reason] of weak) {
      await expectWeak(
        await admin.post(`/api/users/${user.id}/password`, { password: password.replace('NgUyEnVanA', 'TranThiB') }),
        reason,
      );
    }
    expect(await storedHash('tranthib')).toBe(before);

    const self = await ctx.t.login('tranthib', GOOD);
    for (const [, password, reason] of weak) {
      const res = await self.post('/api/me/password', { currentPassword: GOOD, newPassword: password.replace('NgUyEnVanA', 'tranthib') });
      await expectWeak(res, reason);
    }
    expect(await storedHash('tranthib')).toBe(before);
    expect((await self.get('/api/me')).status).toBe(200);
  });
});

describe('password hashing', () => {
  it('stores argon2id PHC strings with m=19456, t=2, p=1 and a fresh salt each time', async () => {
    const a = await hashPassword(GOOD);
    const b = await hashPassword(GOOD);
    expect(a).toMatch(PHC);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, GOOD)).toBe(true);
    expect(await verifyPassword(a, `${GOOD}x`)).toBe(false);
    expect(await verifyPassword('not a hash', GOOD)).toBe(false);
    expect(await verifyPassword(null, GOOD)).toBe(false);
    expect(await storedHash('admin')).toMatch(PHC);
    expect(await storedHash('tranthib')).toMatch(PHC);
  });

  it('re-hashes a password stored with weaker parameters at the next successful login', async () => {
    const old = await hash('demo', { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(await hashPassword('demo'))).toBe(false);
    await ctx.t.platform.services.db.em().execute('UPDATE users SET password_hash = ? WHERE username = ?', [old, 'specialist']);
    expect((await ctx.t.client().post('/api/auth/login', { username: 'specialist', password: 'wrong-password' })).status).toBe(401);
    expect(await storedHash('specialist')).toBe(old);
    expect((await ctx.t.client().post('/api/auth/login', { username: 'specialist', password: 'demo' })).status).toBe(200);
    const now = await storedHash('specialist');
    expect(now).toMatch(PHC);
    expect(await verifyPassword(now, 'demo')).toBe(true);
  });

  it('returns a generated password once, which meets the policy and signs in', async () => {
    const admin = await ctx.t.login('admin');
    const res = await admin.post('/api/users', { username: 'lehoangc', displayName: 'Lê Hoàng C', unitId: 'DEMO.STP' });
    expect(res.status).toBe(201);
    const { user, generatedPassword } = await res.json();
    expect(passwordProblems(generatedPassword, 'lehoangc')).toEqual([]);
    expect((await ctx.t.client().post('/api/auth/login', { username: 'lehoangc', password: generatedPassword })).status).toBe(200);
    const again = await (await admin.get(`/api/users/${user.id}`)).json();
    expect(JSON.stringify(again)).not.toContain(generatedPassword);
    expect(again).not.toHaveProperty('passwordHash');
  });
});
