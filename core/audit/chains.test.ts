import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../tests/support/platform.ts';
import { verifyAuditChain } from './verify.ts';
import { AuditLog } from './audit-log.ts';

/** With MOTCUA_AUDIT_CHAINS > 1 records spread over several chains; each stays verifiable. */
describe('audit trail over several chains', () => {
  let t: TestPlatform | undefined;
  beforeAll(async () => {
    t = await startTestPlatform({ config: { auditChains: 4 } });
    const admin = await t.login('admin');
    for (let i = 0; i < 12; i++) {
      const res = await admin.post('/api/units', { code: `DEMO.CH${i}`, name: `Đơn vị ${i}`, level: 'department', parentId: 'DEMO' });
      expect(res.status).toBe(201);
    }
    // Simultaneous requests, each appending several records (user created + role granted).
    const made = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        admin.post('/api/users', {
          username: `chain-user-${i}`,
          displayName: `Người ${i}`,
          unitId: 'DEMO',
          password: 'Chuoi-Kiem-Toan-2026',
        }),
      ),
    );
    expect(made.map((r) => r.status)).toEqual(Array(8).fill(201));
    const ids = await Promise.all(made.map(async (r) => (await r.json()).user.id as string));
    const grants = await Promise.all(ids.map((userId) => admin.post('/api/role-assignments', { userId, role: 'viewer', unitId: 'DEMO' })));
    expect(grants.map((r) => r.status)).toEqual(Array(8).fill(201));
  });
  afterAll(async () => t?.close());

  const sql = <T>(q: string, p: unknown[] = []) => t!.platform.services.db.em().execute<T[]>(q, p);

  it('spreads records over several chains, keeps the records of one request on one chain, and verifies', async () => {
    const chains = await sql<{ chain: number; n: number }>('SELECT chain, COUNT(*) AS n FROM audit_log GROUP BY chain');
    expect(chains.length).toBeGreaterThan(1);
    const perRequest = await sql<{ request_id: string; n: number }>(
      'SELECT request_id, COUNT(DISTINCT chain) AS n FROM audit_log WHERE request_id IS NOT NULL GROUP BY request_id',
    );
    expect(perRequest.length).toBeGreaterThan(0);
    expect(perRequest.every((r) => Number(r.n) === 1)).toBe(true);
    const result = await verifyAuditChain(t!.platform.services.db.em());
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    // Every chain's head is reported, as verified, to be anchored elsewhere.
    const heads = await sql<{ chain: number; seq: number; hash: string }>('SELECT chain, seq, hash FROM audit_heads ORDER BY chain');
    expect(result.heads).toEqual(heads.map((h) => ({ chain: Number(h.chain), seq: Number(h.seq), hash: h.hash })));
  });

  it('a chain first opened by a transaction that rolled back still takes the next record (its head row was never committed)', async () => {
    const svc = t!.platform.services;
    // A log over many chains, so the chain of this target has no head row yet.
    const audit = new AuditLog(svc.clock, svc.db.dialect, 997);
    const entry = { actor: { id: null, name: 'test' }, action: 'test.rolled_back', targetType: 'test', targetId: 'rollback-target' };
    const chain = audit.chainOf(entry);
    expect(await sql('SELECT chain FROM audit_heads WHERE chain = ?', [chain])).toEqual([]);
    // Given a transaction that appends to that chain, then fails
    await expect(
      svc.db.em().transactional(async (em) => {
        await audit.append(em, entry);
        throw new Error('refused late');
      }),
    ).rejects.toThrow('refused late');
    // When the next transaction appends to the same chain, Then it succeeds
    await svc.db.em().transactional((em) => audit.append(em, { ...entry, action: 'test.committed' }));
    const rows = await sql<{ action: string; seq: number }>('SELECT action, seq FROM audit_log WHERE target_id = ?', ['rollback-target']);
    expect(rows.map((r) => [r.action, Number(r.seq)])).toEqual([['test.committed', 1]]);
  });

  it("appendMany chains its records in order with one INSERT; batch writes a transaction's records at its end; two logs on one chain stay verifiable", async () => {
    const svc = t!.platform.services;
    const a = new AuditLog(svc.clock, svc.db.dialect, 1);
    const b = new AuditLog(svc.clock, svc.db.dialect, 1);
    const entry = (action: string) => ({ actor: { id: null, name: 'test' }, action, targetType: 'test', targetId: 'many-target' });
    // Given a chain that log `a` appended to, then log `b` (another process) moved its head behind a's back
    await svc.db.em().transactional((em) => a.append(em, entry('test.first')));
    await svc.db.em().transactional((em) => b.appendMany(em, [entry('test.b1'), entry('test.b2')]));
    // When `a` appends several records at once, and a batch of appends
    await svc.db.em().transactional((em) => a.appendMany(em, [entry('test.m1'), entry('test.m2'), entry('test.m3')]));
    await svc.db.em().transactional((em) =>
      a.batch(em, async () => {
        await a.append(em, entry('test.batched1'));
        await a.append(em, entry('test.batched2'));
        // Not written before the batch ends
        expect(await em.execute("SELECT seq FROM audit_log WHERE action LIKE 'test.batched%'")).toEqual([]);
      }),
    );
    // Then every record follows the one before it on chain 0, and the whole trail verifies
    const rows = await sql<{ action: string; seq: number }>('SELECT action, seq FROM audit_log WHERE target_id = ? ORDER BY seq', [
      'many-target',
    ]);
    expect(rows.map((r) => r.action)).toEqual([
      'test.first',
      'test.b1',
      'test.b2',
      'test.m1',
      'test.m2',
      'test.m3',
      'test.batched1',
      'test.batched2',
    ]);
    const seqs = rows.map((r) => Number(r.seq));
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    const result = await verifyAuditChain(svc.db.em());
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('detects an edit and a deleted newest record in a chain other than the first', async () => {
    const [busiest] = await sql<{ chain: number }>(
      'SELECT chain FROM audit_log WHERE chain > 0 GROUP BY chain ORDER BY COUNT(*) DESC LIMIT 1',
    );
    const chain = Number(busiest.chain);
    await sql("UPDATE audit_log SET actor_name = 'forger' WHERE chain = ? AND seq = 1", [chain]);
    const [{ max }] = await sql<{ max: number }>('SELECT MAX(seq) AS max FROM audit_log WHERE chain = ?', [chain]);
    await sql('DELETE FROM audit_log WHERE chain = ? AND seq = ?', [chain, Number(max)]);
    const result = await verifyAuditChain(t!.platform.services.db.em());
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.problem).sort()).toEqual(['altered', 'truncated']);
    expect(result.problems.every((p) => p.detail.includes(`chain ${chain}`) || p.problem === 'altered')).toBe(true);
  });
});
