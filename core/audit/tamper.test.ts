import { afterEach, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../tests/support/platform.ts';
import { demoAccounts, demoUnits } from '../seed.ts';
import { recordHash } from './chain.ts';
import { verifyAuditChain, type AuditProblem } from './verify.ts';

/**
 * Each test tampers with the trail, so each gets its own platform (demo seeding writes one
 * record per unit, account and grant: N), on one chain so that sequence numbers are predictable
 * (chains.test.ts: several).
 */
const N = demoUnits.length + 2 * demoAccounts.length;
let current: TestPlatform | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function platform(): Promise<TestPlatform> {
  current = await startTestPlatform({ config: { auditChains: 1 } });
  return current;
}

const run = (t: TestPlatform, sql: string, params: unknown[] = []) => t.platform.services.db.em().execute(sql, params);
const verify = (t: TestPlatform) => verifyAuditChain(t.platform.services.db.em());
const kinds = (problems: AuditProblem[]) => problems.map((p) => `${p.problem}@${p.seq}`);

async function idOf(t: TestPlatform, seq: number): Promise<number> {
  const [row] = await t.platform.services.db.em().execute<{ id: number }[]>('SELECT id FROM audit_log WHERE seq = ?', [seq]);
  return Number(row.id);
}

describe('audit chain tamper detection', () => {
  it('verifies an untouched trail', async () => {
    const t = await platform();
    const result = await verify(t);
    expect(result).toMatchObject({ ok: true, records: N, headSeq: N, problems: [] });
    expect(result.headHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names a record whose summary was edited', async () => {
    const t = await platform();
    await run(t, 'UPDATE audit_log SET summary = ? WHERE seq = 5', [
      JSON.stringify({ code: 'FORGED', name: 'x', level: 'desk', parent: null }),
    ]);
    const result = await verify(t);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ seq: 5, id: await idOf(t, 5), problem: 'altered' })]);
    expect(result.problems[0].detail).toContain('record 5');
  });

  it('catches an edit of the actor or the time too', async () => {
    const t = await platform();
    await run(t, "UPDATE audit_log SET actor_name = 'someone-else' WHERE seq = 3");
    await run(t, "UPDATE audit_log SET at = '2026-03-01T00:00:00.000Z' WHERE seq = 8");
    expect(kinds((await verify(t)).problems)).toEqual(['altered@3', 'altered@8']);
  });

  it('catches a rewritten record whose hash was recomputed, at the link to the next one', async () => {
    const t = await platform();
    const [row] = await t.platform.services.db.em().execute<Record<string, unknown>[]>('SELECT * FROM audit_log WHERE seq = 4');
    const forged = { code: 'FORGED' };
    const hash = recordHash(String(row.prev_hash), {
      chain: 0,
      seq: 4,
      at: String(row.at),
      actorId: (row.actor_id as string | null) ?? null,
      actorName: String(row.actor_name),
      action: String(row.action),
      targetType: String(row.target_type),
      targetId: (row.target_id as string | null) ?? null,
      unitId: (row.unit_id as string | null) ?? null,
      summary: forged,
      requestId: (row.request_id as string | null) ?? null,
    });
    await run(t, 'UPDATE audit_log SET summary = ?, hash = ? WHERE seq = 4', [JSON.stringify(forged), hash]);
    const result = await verify(t);
    expect(kinds(result.problems)).toEqual(['reordered@5']);
    expect(result.problems[0].detail).toContain('record 4 was rewritten');
  });

  it('reports a deleted middle record as missing', async () => {
    const t = await platform();
    await run(t, 'DELETE FROM audit_log WHERE seq = 10');
    const result = await verify(t);
    expect(result.ok).toBe(false);
    expect(result.records).toBe(N - 1);
    expect(result.problems).toEqual([expect.objectContaining({ seq: 10, problem: 'missing' })]);
    expect(result.problems[0].detail).toContain('record 10');
  });

  it('reports deleted newest records as truncated (the head remembers)', async () => {
    const t = await platform();
    await run(t, 'DELETE FROM audit_log WHERE seq >= ?', [N - 1]);
    const result = await verify(t);
    expect(result.ok).toBe(false);
    expect(result.headSeq).toBe(N - 2);
    expect(result.problems).toEqual([expect.objectContaining({ seq: N, problem: 'truncated' })]);
  });

  it('catches two swapped records', async () => {
    const t = await platform();
    await run(t, 'UPDATE audit_log SET seq = -1 WHERE seq = 6');
    await run(t, 'UPDATE audit_log SET seq = 6 WHERE seq = 7');
    await run(t, 'UPDATE audit_log SET seq = 7 WHERE seq = -1');
    const result = await verify(t);
    expect(result.ok).toBe(false);
    expect(kinds(result.problems)).toEqual(expect.arrayContaining(['reordered@6', 'altered@6', 'altered@7']));
  });

  it('catches a record appended without going through the audit log', async () => {
    const t = await platform();
    const [last] = await t.platform.services.db.em().execute<{ hash: string }[]>('SELECT hash FROM audit_log WHERE seq = ?', [N]);
    const fields = {
      chain: 0,
      seq: N + 1,
      at: '2026-03-02T02:00:00.000Z',
      actorId: null,
      actorName: 'ghost',
      action: 'user.created',
      targetType: 'user',
      targetId: null,
      unitId: null,
      summary: {},
      requestId: null,
    };
    await run(
      t,
      'INSERT INTO audit_log (chain, seq, at, actor_id, actor_name, action, target_type, target_id, unit_id, summary, request_id, prev_hash, hash) VALUES (0, ?, ?, NULL, ?, ?, ?, NULL, NULL, ?, NULL, ?, ?)',
      [N + 1, fields.at, fields.actorName, fields.action, fields.targetType, '{}', last.hash, recordHash(last.hash, fields)],
    );
    expect(kinds((await verify(t)).problems)).toEqual([`altered@${N + 1}`]);
  });

  it('raises no false alarm for records appended while it runs', async () => {
    const t = await platform();
    const svc = t.platform.services;
    const em = svc.db.em();
    // Verification reads through the entity manager and its query builder, whose statements all
    // reach the ORM connection's execute: the append is hooked in there, and unhooked afterwards.
    const connection = em.getConnection() as unknown as { execute: (...args: unknown[]) => Promise<unknown> };
    const execute = connection.execute;
    let appended = false;
    // Right after verification has read the heads, someone signs in (a record is appended).
    connection.execute = async function (this: unknown, ...args: unknown[]) {
      const result = await execute.apply(this, args);
      if (!appended) {
        appended = true;
        await svc.db
          .em()
          .transactional((tx) =>
            svc.audit.append(tx, { actor: { id: null, name: 'system' }, action: 'test.meanwhile', targetType: 'test' }),
          );
      }
      return result;
    };
    try {
      expect(await verifyAuditChain(em)).toMatchObject({ ok: true, records: N, headSeq: N, problems: [] });
    } finally {
      connection.execute = execute;
    }
    expect(appended).toBe(true);
    expect(await verify(t)).toMatchObject({ ok: true, records: N + 1, headSeq: N + 1 });
  });

  it('reports problems through GET /api/audit/verify as well', async () => {
    const t = await platform();
    await run(t, "UPDATE audit_log SET action = 'unit.deleted' WHERE seq = 2");
    const auditor = await t.login('auditor');
    const res = await auditor.get('/api/audit/verify');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; problems: AuditProblem[] };
    expect(body.ok).toBe(false);
    expect(kinds(body.problems)).toEqual(['altered@2']);
  });
});
