import { beforeAll, describe, expect, it } from 'vitest';
import { rawStart, useHarness, type TestClient } from '../../tests/support/harness.ts';

// The drain loop (commands.ts, ADR 0017): follow-up commands run breadth-first in the first
// command's transaction, never nested in it, and a chain that does not stop fails clearly.
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });

let clerk: TestClient;
const { deploy } = h.process({ as: () => clerk });

beforeAll(async () => {
  clerk = await h.login('clerk');
  const analyst = await h.login('analyst');
  for (const file of ['drain-ping.bpmn', 'drain-chain.bpmn']) await deploy(file, { as: analyst, status: 201 });
});

const count = async (sql: string) => Number((await h.em().execute<{ n: number | string }[]>(sql))[0].n);

describe('drain loop', () => {
  it('two processes that message each other forever stop at the limit with message.too_deep, and nothing is kept', async () => {
    const instances = await count('SELECT COUNT(*) AS n FROM process_instances');
    const messages = await count('SELECT COUNT(*) AS n FROM messages');
    const res = await rawStart(h.t, { definitionKey: 'drain-ping' }, clerk);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { code: string; detail: string };
    expect(body.code).toBe('message.too_deep');
    expect(body.detail).toMatch(/more than 20 levels deep/);
    expect(await count('SELECT COUNT(*) AS n FROM process_instances')).toBe(instances);
    expect(await count('SELECT COUNT(*) AS n FROM messages')).toBe(messages);
  });

  it('a message chain of three instances completes in one command, each started after the one that sent to it', async () => {
    const res = await rawStart(h.t, { definitionKey: 'drain-chain-a' }, clerk);
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const rows = await h
      .em()
      .execute<{ id: string; definition_key: string; status: string }[]>(
        "SELECT id, definition_key, status FROM process_instances WHERE definition_key LIKE 'drain-chain-%'",
      );
    expect(rows.map((r) => [r.definition_key, r.status]).sort()).toEqual([
      ['drain-chain-a', 'completed'],
      ['drain-chain-b', 'completed'],
      ['drain-chain-c', 'completed'],
    ]);
    // The audit trail (a hash chain, in order) shows A's command whole before B's, and B's before C's.
    const trail = await h
      .em()
      .execute<{ action: string; target_id: string }[]>(
        "SELECT action, target_id FROM audit_log WHERE action IN ('process.started', 'message.correlated') ORDER BY seq",
      );
    const keyOf = new Map(rows.map((r) => [r.id, r.definition_key]));
    const chain = trail.filter((t) => keyOf.has(t.target_id)).map((t) => `${t.action} ${keyOf.get(t.target_id)}`);
    expect(chain).toEqual([
      'process.started drain-chain-a',
      'process.started drain-chain-b',
      'message.correlated drain-chain-b',
      'process.started drain-chain-c',
      'message.correlated drain-chain-c',
    ]);
    expect(keyOf.get(id)).toBe('drain-chain-a');
  });
});
