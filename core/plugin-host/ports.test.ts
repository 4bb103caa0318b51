import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { defineEntity, defineMigration, definePlugin, p, timestamp, z, type PluginContext, type PluginJob } from '../plugin-api.ts';

/** A plugin that uses each port, as a plugin author would. */
const ProbeItem = defineEntity({
  name: 'ProbeItem',
  tableName: 'probe_items',
  properties: { id: p.string().primary(), label: p.string(), createdAt: p.datetime() },
});
const jobsRun: PluginJob[] = [];
let chores = 0;
const probe = definePlugin({
  id: 'probe',
  version: '1.0.0',
  entities: [ProbeItem],
  migrations: [
    defineMigration('probe_0001_items', (schema) =>
      schema.createTable('probe_items', (t) => {
        t.string('id', 36).primary();
        t.string('label', 64).notNullable().index();
        timestamp(t, 'created_at').notNullable();
      }),
    ),
  ],
  provides: { 'probe.items': (ctx: PluginContext) => ({ count: () => ctx.em().count(ProbeItem, {}) }) },
  uses: ['catalogue.procedures'],
  handlers: {
    'probe.check-fee': {
      name: 'Kiểm tra lệ phí',
      input: z.object({
        amount: z.number().describe('Số tiền'),
        kind: z.enum(['cash', 'transfer']).describe('Hình thức'),
        urgent: z.boolean().optional(),
        note: z.string().optional(),
      }),
      output: z.object({ feeOk: z.boolean().describe('Lệ phí hợp lệ') }),
      handler: async (job) => ({ variables: { feeOk: job.variables.amount > 0 } }),
    },
  },
  ui: {
    elements: ['probe-panel'],
    assets: new URL('./fixtures/ui/', import.meta.url),
    entry: 'probe.js',
    navigation: [
      { label: { vi: 'Thăm dò', en: 'Probe' }, path: '/probe', permission: 'process.read' },
      { label: { vi: 'Kiểm toán', en: 'Audit' }, path: '/probe/audit', permission: 'audit.read' },
    ],
    routes: [{ path: '/probe', element: 'probe-panel' }],
  },
  setup(ctx) {
    ctx.jobs.register('probe.tick', async (em, job) => {
      jobsRun.push(job);
      await em.sql('UPDATE probe_items SET label = ? WHERE id = ?', ['ticked', job.payload.id]);
    });
    ctx.jobs.every('probe.count', 60_000, async () => {
      chores++;
    });
  },
});
const reader = definePlugin({ id: 'reader', version: '1.0.0', requires: { probe: '^1.0.0' }, uses: ['probe.items'] });

const h = useHarness({ plugins: [probe, reader], fixtures: new URL('../engine/fixtures/', import.meta.url) });
const ctx = () => h.services.plugins.context('probe');
let clerk: TestClient;
const { deploy, start, instance, complete } = h.process({ as: () => clerk });

beforeAll(async () => {
  clerk = await h.login('clerk');
});

async function refused(work: () => unknown): Promise<AppError> {
  const err = await (async () => work())().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('plugin ports: the scoped entity manager', () => {
  it("writes and reads the plugin's own entities and tables", async () => {
    const c = ctx();
    await c.em().transactional(async (em) => {
      em.create(ProbeItem, { id: 'i1', label: 'one', createdAt: c.clock.now() });
      await em.flush();
      await c.audit.append(em, {
        actor: { id: null, name: 'probe' },
        action: 'probe.item.created',
        targetType: 'probe_item',
        targetId: 'i1',
      });
    });
    expect((await c.em().findOne(ProbeItem, { id: 'i1' }))?.label).toBe('one');
    expect(await c.em().sql<{ n: number }>('SELECT COUNT(*) AS n FROM probe_items WHERE label = ?', ['one'])).toEqual([
      { n: expect.anything() },
    ]);
    const [audited] = await h.em().execute<{ n: number }[]>("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'probe.item.created'");
    expect(Number(audited.n)).toBe(1);
  });

  it("refuses another module's entity or table, clearly", async () => {
    const c = ctx();
    const byEntity = await refused(() => c.em().find('User', {}));
    expect(byEntity.code).toBe('plugin.out_of_scope');
    expect(byEntity.message).toContain('Plugin "probe"');
    expect(byEntity.message).toContain('User');
    for (const sql of [
      'SELECT * FROM users',
      'SELECT * FROM probe_items JOIN sessions ON sessions.id = probe_items.id',
      'SELECT * FROM probe_items, users',
      'DELETE FROM audit_log',
      'INSERT INTO jobs (id) VALUES (?)',
      'UPDATE users SET username = ?',
      'SELECT 1 FROM probe_items; DROP TABLE users',
    ]) {
      const err = await refused(() => c.em().sql(sql, ['x']));
      expect(err.code, sql).toBe('plugin.out_of_scope');
    }
    // Raw access around the scope is refused too
    expect(() => (c.em() as unknown as { execute(sql: string): unknown }).execute('SELECT 1')).toThrow(/em\.execute/);
    expect(() => c.em().getRepository(ProbeItem)).toThrow(/em\.getRepository/);
    // and the transaction's em keeps the scope
    const inTx = await refused(() => c.em().transactional((em) => em.find('Session', {})));
    expect(inTx.code).toBe('plugin.out_of_scope');
  });
});

describe('plugin ports: jobs, chores, read APIs', () => {
  it('runs a job kind it registered and a recurring chore', async () => {
    const c = ctx();
    await c.em().transactional(async (em) => {
      em.create(ProbeItem, { id: 'i2', label: 'two', createdAt: c.clock.now() });
      await em.flush();
      await c.jobs.schedule(em, 'probe.tick', { dueAt: c.clock.now(), payload: { id: 'i2' } });
    });
    await h.services.jobs.runDue();
    expect(jobsRun.map((j) => j.payload)).toEqual([{ id: 'i2' }]);
    expect((await c.em().findOne(ProbeItem, { id: 'i2' }, { disableIdentityMap: true }))?.label).toBe('ticked');
    await h.services.jobs.runChores();
    expect(chores).toBeGreaterThan(0);
    expect(() => c.jobs.every('other.chore', 1000, async () => undefined)).toThrow(/must start with "probe\."/);
  });

  it("reads another plugin's API it uses, and core's", async () => {
    const r = h.services.plugins.context('reader');
    expect(await r.read<{ count(): Promise<number> }>('probe.items').count()).toBeGreaterThan(0);
    expect(() => r.read('catalogue.procedures')).toThrow(/uses/);
    const procedures = ctx().read<{ get(code: string): Promise<unknown> }>('catalogue.procedures');
    expect(await procedures.get('no-such-procedure')).toBeNull();
  });
});

describe('plugin ports: engine.publishMessage', () => {
  it('Given an instance waiting for a message, When a plugin publishes it, Then the instance receives it and the sender is the plugin', async () => {
    await deploy('msg-catch.bpmn');
    const inst = await start('msg-catch', 'HS-PLUGIN-1');
    await complete(inst.id);
    const c = ctx();
    const sent = await c
      .em()
      .transactional((em) => c.engine.publishMessage(em, { name: 'ket-qua-thue', correlationKey: 'HS-PLUGIN-1', variables: { tax: 7 } }));
    expect(sent).toMatchObject({ status: 'correlated', instanceId: inst.id });
    expect((await instance(inst.id)).status).toBe('completed');
    const [row] = await h
      .em()
      .execute<{ actor_name: string }[]>("SELECT actor_name FROM audit_log WHERE action = 'message.correlated' AND target_id = ?", [
        inst.id,
      ]);
    expect(row.actor_name).toBe('plugin:probe');
  });
});

describe('plugin ports: element templates and UI', () => {
  it('serves the element template generated from the handler schemas to designers', async () => {
    const analyst = await h.login('analyst');
    const res = await analyst.get('/api/plugins/element-templates');
    expect(res.status).toBe(200);
    const templates = (await res.json()) as { id: string; properties: Record<string, unknown>[] }[];
    const t = templates.find((x) => x.id === 'probe.check-fee')!;
    expect(t.properties).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ value: 'probe.check-fee', binding: { type: 'property', name: 'camunda:topic' } }),
        expect.objectContaining({ label: 'Số tiền', type: 'String', constraints: { notEmpty: true } }),
        expect.objectContaining({
          label: 'Hình thức',
          type: 'Dropdown',
          choices: [expect.objectContaining({ value: 'cash' }), expect.objectContaining({ value: 'transfer' })],
        }),
        expect.objectContaining({ type: 'Boolean', binding: { type: 'camunda:inputParameter', name: 'urgent' } }),
        expect.objectContaining({ label: 'Lệ phí hợp lệ', binding: { type: 'camunda:outputParameter', source: '${feeOk}' } }),
      ]),
    );
    expect((await clerk.get('/api/plugins/element-templates')).status).toBe(403);
  });

  it('checks handler input against its schema before the handler runs', async () => {
    const handler = h.services.plugins.handlers.get('probe.check-fee')!;
    const job = { topic: 'probe.check-fee', instanceId: 'i', activityId: 'a', businessKey: null, idempotencyKey: 'k' };
    expect(await handler({ ...job, variables: { amount: 5, kind: 'cash' } }, ctx())).toEqual({ variables: { feeOk: true } });
    const err = await refused(() => handler({ ...job, variables: { amount: 'five', kind: 'cash' } }, ctx()));
    expect(err.code).toBe('request.invalid');
    expect(err.message).toContain('amount');
  });

  it('lists UI contributions the caller may use, and serves the UI module with its content type', async () => {
    const res = await clerk.get('/api/plugins/ui');
    expect(res.status).toBe(200);
    const [contribution] = (await res.json()) as { plugin: string; entry: string; navigation: { path: string }[] }[];
    expect(contribution).toMatchObject({
      plugin: 'probe',
      entry: '/plugins/probe/ui/probe.js',
      routes: [{ path: '/probe', element: 'probe-panel' }],
    });
    expect(contribution.navigation.map((n) => n.path)).toEqual(['/probe']); // the clerk holds no audit.read
    const file = await clerk.get(contribution.entry);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await file.text()).toContain('export const probe = true');
  });

  it('refuses a path that leaves the UI folder, a hidden or unlisted file, or another plugin', async () => {
    for (const path of [
      '/plugins/probe/ui/../secret.txt',
      '/plugins/probe/ui/%2e%2e/secret.txt',
      '/plugins/probe/ui/%2e%2e%2fsecret.txt',
      '/plugins/probe/ui/..%5csecret.txt',
      '/plugins/probe/ui/%2e%2e%2f%2e%2e%2fports.test.ts',
      '/plugins/probe/ui/probe.ts',
      '/plugins/probe/ui/',
      '/plugins/reader/ui/probe.js',
      '/plugins/nobody/ui/probe.js',
    ]) {
      const res = await h.t.client().get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('never served');
    }
  });
});
