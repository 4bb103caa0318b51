import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTestPlatform } from '../support/platform.ts';
import { argon2, dummyHash } from '../../core/auth/passwords.ts';
import { purgeLoginThrottle } from '../../core/auth/login-throttle.ts';
import { LOCK_AFTER } from '../../core/auth/throttle.ts';

/**
 * Whether an account exists must not show in the answers to failed logins: a name without an
 * account is throttled (429) and locked (423) after the same failures as a real one, and costs
 * the same password work (timings themselves are not asserted on a shared machine).
 */
const ctx = useTestPlatform();

afterEach(() => {
  vi.restoreAllMocks();
});

interface Answer {
  status: number;
  code: string;
  detail: string;
  retryAfter: string | null;
}

async function attempt(username: string, password = 'not-the-password'): Promise<Answer> {
  const res = await ctx.t.client().post('/api/auth/login', { username, password });
  const body = await res.json();
  return { status: res.status, code: body.code, detail: body.detail, retryAfter: res.headers.get('retry-after') };
}

/**
 * One attacker's session against a name: five quick tries, then a try each time the wait is
 * over until locked, then tries a day and a month later. Moves the shared clock.
 */
async function campaign(username: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < 5; i++) answers.push(await attempt(username));
  for (let i = 0; i < 2 * LOCK_AFTER; i++) {
    const last = answers[answers.length - 1];
    if (last.retryAfter) ctx.t.clock.advance(Number(last.retryAfter) * 1000);
    answers.push(await attempt(username));
  }
  ctx.t.clock.advance(86_400_000);
  answers.push(await attempt(username));
  ctx.t.clock.advance(30 * 86_400_000);
  answers.push(await attempt(username));
  return answers;
}

describe('username enumeration through login', () => {
  it('keeps one expiring row per name tried, never the name itself, and purges it', async () => {
    const db = ctx.t.platform.services.db.em();
    const count = async () => Number((await db.execute<{ n: number }[]>('SELECT COUNT(*) AS n FROM login_throttle'))[0].n);
    const before = await count();
    for (let i = 0; i < 3; i++) await attempt('Mot-Ten-Thu ');
    await attempt('mot-ten-thu');
    expect(await count()).toBe(before + 1);
    const rows = await db.execute<{ key_hash: string }[]>('SELECT key_hash FROM login_throttle');
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.key_hash))).toBe(true);
    ctx.t.clock.advance(24 * 3_600_000 + 1);
    await purgeLoginThrottle(ctx.t.platform.services);
    expect(await count()).toBe(before);
  });
  it('a name without an account answers wrong passwords exactly like a real account: the same 401s, 429s with the same waits, then 423', async () => {
    const real = await campaign('auditor');
    const unknown = await campaign('khong-co-tai-khoan');
    expect(unknown).toEqual(real);
    const statuses = real.map((a) => a.status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 429, 429]);
    expect(statuses).toContain(423);
    expect(statuses.slice(-2)).toEqual([423, 423]);
    // Even the right password of the real account now meets the lock, like any password for the unknown name.
    expect((await attempt('auditor', 'demo')).status).toBe(423);
  });

  it('a streak whose last failure is a day old starts again from zero, for a real account and an unknown name alike', async () => {
    const run = async (username: string) => {
      const answers: number[] = [];
      for (let i = 0; i < 3; i++) answers.push((await attempt(username)).status);
      ctx.t.clock.advance(24 * 3_600_000);
      await purgeLoginThrottle(ctx.t.platform.services);
      for (let i = 0; i < 4; i++) answers.push((await attempt(username)).status);
      return answers;
    };
    const real = await run('leader');
    expect(await run('ten-la')).toEqual(real);
    expect(real).toEqual([401, 401, 401, 401, 401, 401, 429]);
  });

  it('verifies the password of an unknown name against the dummy argon2id hash, as it verifies a real account against its own', async () => {
    const verify = vi.spyOn(argon2, 'verify');
    const dummy = await dummyHash();
    expect(dummy).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await attempt('nobody-here', 'some-password')).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledWith(dummy, 'some-password');
    expect(await verify.mock.results[0].value).toBe(false);
    verify.mockClear();
    expect((await attempt('clerk', 'some-password')).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0][0]).not.toBe(dummy);
    expect(verify.mock.calls[0][0]).toMatch(/^\$argon2id\$/);
  });
});
