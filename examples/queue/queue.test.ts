import { describe, expect, it } from 'vitest';
import { AppError, BpmnBusinessError, definePlugin, type PluginContext } from '../../core/plugin-api.ts';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import queuePlugin from './index.ts';
import type { QueueConfig } from './config.ts';
import { rawStart } from '../../tests/support/raw-start.ts';

/** A second plugin, defined inline, that contributes lines to the queue board. */
const noticePlugin = definePlugin({
  id: 'notice',
  version: '0.1.0',
  requires: { queue: '^1.0.0' },
  uses: ['queue.tickets'],
  contributions: {
    'queue.display-message': [
      { vi: 'Giờ làm việc: 7h30–17h00, sáng thứ Bảy 7h30–11h30' },
      { vi: 'Chỉ dành cho Sở Xây dựng', units: ['no-such-unit'], tone: 'warning' },
    ],
  },
});

const DAY = 86_400_000;
// Sessions outlive the test's days, so each account signs in once (password hashing is slow).
const ctx = useTestPlatform({
  plugins: [queuePlugin, noticePlugin],
  config: {
    pluginConfig: { queue: { ticketPrefix: 'Q', calledMessage: 'queue-called' } },
    sessionIdleMs: 90 * DAY,
    sessionAbsoluteMs: 90 * DAY,
  },
});

const clients = new Map<string, Promise<TestClient>>();
function as(username: string): Promise<TestClient> {
  if (!clients.has(username)) clients.set(username, ctx.t.login(username));
  return clients.get(username)!;
}

const unitIds = new Map<string, string>();
async function unitId(code: string): Promise<string> {
  if (!unitIds.size) {
    const units = (await (await (await as('admin')).get('/api/units')).json()) as { id: string; code: string }[];
    for (const u of units) unitIds.set(u.code, u.id);
  }
  const id = unitIds.get(code);
  if (!id) throw new Error(`no unit ${code}`);
  return id;
}

/** Each scenario starts on a new morning: a fresh numbering period. */
async function nextMorning(): Promise<{ desk: string; clerk: TestClient; admin: TestClient }> {
  ctx.t.clock.advance(DAY);
  return { desk: await unitId('DEMO.TTPVHCC.Q1'), clerk: await as('clerk'), admin: await as('admin') };
}

async function issue(client: TestClient, unit: string, serviceCode = 'HT') {
  const res = await client.post('/api/queue/tickets', { unitId: unit, serviceCode });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; code: string; number: number; status: string };
}

describe('queue plugin: boot', () => {
  it('ran its migration after core and created its tables', async () => {
    const em = ctx.t.platform.services.db.em();
    const rows = await em.execute<{ name: string }[]>('SELECT name FROM schema_migrations ORDER BY id');
    const names = rows.map((r) => r.name);
    expect(names).toContain('queue_0001_tickets');
    expect(names.indexOf('core_0001_foundation')).toBeLessThan(names.indexOf('queue_0001_tickets'));
    const [count] = await em.execute<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM queue_tickets');
    expect(Number(count.n)).toBeGreaterThanOrEqual(0);
  });

  it('is listed by /api/health', async () => {
    const body = await (await ctx.t.client().get('/api/health')).json();
    expect(body.plugins).toEqual(
      expect.arrayContaining([
        { id: 'queue', version: '1.0.0' },
        { id: 'notice', version: '0.1.0' },
      ]),
    );
  });

  it('publishes its routes under /api/queue with their permissions', async () => {
    const doc = await (await ctx.t.client().get('/api/openapi.json')).json();
    const perm = (path: string, method: string) => doc.paths[path]?.[method]?.['x-permission'];
    expect(perm('/api/queue/tickets', 'post')).toBe('queue.issue');
    expect(perm('/api/queue/tickets', 'get')).toBe('queue.read');
    expect(perm('/api/queue/call-next', 'post')).toBe('queue.call');
    expect(perm('/api/queue/tickets/{id}/done', 'post')).toBe('queue.call');
    expect(perm('/api/queue/tickets/{id}/no-show', 'post')).toBe('queue.call');
    expect(perm('/api/queue/board', 'get')).toBe('queue.read');
  });

  it('registers its permissions, handler, element template and document', async () => {
    const { services } = ctx.t.platform;
    expect(
      services.permissions
        .list()
        .filter((p) => p.owner === 'queue')
        .map((p) => p.name)
        .sort(),
    ).toEqual(['queue.call', 'queue.issue', 'queue.read']);
    expect(services.plugins.handlers.has('queue.issue-ticket')).toBe(true);
    expect(services.plugins.handlers.topics()).toContainEqual({ topic: 'queue.issue-ticket', owner: 'queue' });
    const template = services.plugins.elementTemplates().find((t) => t.id === 'queue.issue-ticket');
    expect(template?.properties).toContainEqual(
      expect.objectContaining({ value: 'queue.issue-ticket', binding: { type: 'property', name: 'camunda:topic' } }),
    );
    expect(services.plugins.documents().find((d) => d.id === 'queue.ticket')?.source).toContain('PHIẾU SỐ THỨ TỰ');
    const roles = (await (await (await as('clerk')).get('/api/roles')).json()) as { role: string; permissions: string[] }[];
    expect(roles.find((r) => r.role === 'receptionist')?.permissions).toEqual(
      expect.arrayContaining(['queue.issue', 'queue.call', 'queue.read']),
    );
  });
});

describe('queue plugin: UI', () => {
  it('loads its UI module on the server without a DOM', async () => {
    const ui = (await import('./ui/queue-board.js' as string)) as { QueueBoard: unknown };
    expect(typeof ui.QueueBoard).toBe('function');
    expect(queuePlugin.ui?.entry).toBe('queue-board.js');
  });
});

describe('queue plugin: a morning at the desk', () => {
  it('numbers tickets per unit and day with the configured prefix, and restarts the next day', async () => {
    const { desk, clerk } = await nextMorning();
    const a = await issue(clerk, desk);
    const b = await issue(clerk, desk, 'DD');
    expect([a.code, b.code]).toEqual(['Q001', 'Q002']);
    const waiting = (await (await clerk.get(`/api/queue/tickets?unitId=${desk}`)).json()) as { code: string }[];
    expect(waiting.map((t) => t.code)).toEqual(['Q001', 'Q002']);

    const tomorrow = await nextMorning();
    expect((await issue(tomorrow.clerk, desk)).code).toBe('Q001');
    const stale = (await (await tomorrow.clerk.get(`/api/queue/tickets?unitId=${desk}`)).json()) as unknown[];
    expect(stale).toHaveLength(1);
  });

  it('calls in order, closes tickets, and refuses wrong transitions', async () => {
    const { desk, clerk } = await nextMorning();
    const first = await issue(clerk, desk);
    const second = await issue(clerk, desk);
    const called = await (await clerk.post('/api/queue/call-next', { unitId: desk, desk: 'Quầy 1' })).json();
    expect(called).toMatchObject({ id: first.id, status: 'called', desk: 'Quầy 1' });

    const done = await clerk.post(`/api/queue/tickets/${first.id}/done`);
    expect(done.status).toBe(200);
    expect((await done.json()).status).toBe('done');
    const again = await clerk.post(`/api/queue/tickets/${first.id}/no-show`);
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('queue.invalid_state');
    expect((await clerk.post(`/api/queue/tickets/${second.id}/done`)).status).toBe(409); // still waiting

    await clerk.post('/api/queue/call-next', { unitId: desk, desk: 'Quầy 1' });
    expect((await (await clerk.post(`/api/queue/tickets/${second.id}/no-show`)).json()).status).toBe('no_show');
    const empty = await clerk.post('/api/queue/call-next', { unitId: desk, desk: 'Quầy 1' });
    expect(empty.status).toBe(404);
    expect(await empty.json()).toMatchObject({ code: 'queue.empty', title: 'Không còn số thứ tự nào đang chờ' });
    const missing = await clerk.post('/api/queue/tickets/nope/done');
    expect((await missing.json()).code).toBe('queue.ticket_not_found');
  });

  it('never gives two clerks calling at once the same ticket', async () => {
    const { desk, clerk, admin } = await nextMorning();
    const issued = [];
    for (let i = 0; i < 4; i++) issued.push(await issue(clerk, desk));
    const clerks = [clerk, admin, await ctx.t.login('clerk'), clerk, admin];
    const responses = await Promise.all(clerks.map((c, i) => c.post('/api/queue/call-next', { unitId: desk, desk: `Quầy ${i + 1}` })));
    const ok = responses.filter((r) => r.status === 200);
    const ids = await Promise.all(ok.map(async (r) => ((await r.json()) as { id: string }).id));
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    expect(ids.sort()).toEqual(issued.map((t) => t.id).sort());
    expect(responses.filter((r) => r.status === 404)).toHaveLength(1);
  });

  it('audits every state change in the same transaction, on an intact chain', async () => {
    const { desk, clerk } = await nextMorning();
    const ticket = await issue(clerk, desk);
    await clerk.post('/api/queue/call-next', { unitId: desk, desk: 'Quầy 2' });
    await clerk.post(`/api/queue/tickets/${ticket.id}/done`);
    const auditor = await as('auditor');
    const { records } = await (await auditor.get(`/api/audit?action=queue.*&targetId=${ticket.id}`)).json();
    expect(records.map((r: { action: string }) => r.action).reverse()).toEqual([
      'queue.ticket.issued',
      'queue.ticket.called',
      'queue.ticket.done',
    ]);
    expect(records[0]).toMatchObject({ actorName: 'clerk', targetType: 'queue_ticket', unitId: desk });
    expect((await (await auditor.get('/api/audit/verify')).json()).problems).toEqual([]);
  });

  it('shows the board with messages contributed by another plugin', async () => {
    const { desk, clerk } = await nextMorning();
    await issue(clerk, desk);
    await issue(clerk, desk);
    await clerk.post('/api/queue/call-next', { unitId: desk, desk: 'Quầy 3' });
    const board = await (await clerk.get(`/api/queue/board?unitId=${desk}`)).json();
    expect(board).toMatchObject({ serving: [{ code: 'Q001', desk: 'Quầy 3' }], waiting: 1 });
    expect(board.messages).toEqual([{ vi: 'Giờ làm việc: 7h30–17h00, sáng thứ Bảy 7h30–11h30', tone: 'info', from: 'notice' }]);
  });
});

describe('queue plugin: unit scope', () => {
  it('refuses a clerk of another unit, and people without the permission', async () => {
    const { desk, admin } = await nextMorning();
    const commune = await unitId('DEMO.XA.AN-BINH');
    const created = await admin.post('/api/users', {
      username: 'tiepnhan.anbinh',
      displayName: 'Cán bộ một cửa xã An Bình',
      unitId: commune,
      password: 'Quay-Mot-Cua-An-Binh-2026',
    });
    expect(created.status).toBe(201);
    const { user } = await created.json();
    expect((await admin.post('/api/role-assignments', { userId: user.id, role: 'receptionist', unitId: commune })).status).toBe(201);
    const other = await ctx.t.login('tiepnhan.anbinh', 'Quay-Mot-Cua-An-Binh-2026');

    for (const res of [
      await other.post('/api/queue/tickets', { unitId: desk, serviceCode: 'HT' }),
      await other.post('/api/queue/call-next', { unitId: desk, desk: 'Quầy 1' }),
      await other.get(`/api/queue/board?unitId=${desk}`),
    ]) {
      // The desk lies outside the commune receptionist's units: it answers as a missing unit (404, ADR 0004).
      expect(res.status).toBe(404);
      expect((await res.json()).code).toBe('unit.not_found');
    }
    expect((await issue(other, commune)).code).toBe('Q001');

    const clerk = await as('clerk');
    const clerkTicket = await issue(clerk, desk);
    await clerk.post('/api/queue/call-next', { unitId: desk, desk: 'Quầy 1' });
    const foreign = await other.post(`/api/queue/tickets/${clerkTicket.id}/done`);
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).code).toBe('queue.ticket_not_found');

    const auditor = await as('auditor');
    const denied = await auditor.post('/api/queue/tickets', { unitId: desk, serviceCode: 'HT' });
    expect(denied.status).toBe(403);
    expect((await denied.json()).code).toBe('auth.forbidden');
  });
});

describe('queue plugin: service-task handler', () => {
  const job = (variables: Record<string, unknown>, idempotencyKey: string) => ({
    topic: 'queue.issue-ticket',
    instanceId: 'pi-1',
    activityId: 'IssueTicket',
    businessKey: 'H01.01-260302-0001',
    variables,
    idempotencyKey,
  });

  it('issues one ticket per job, even when the job is retried', async () => {
    const { desk } = await nextMorning();
    const { services } = ctx.t.platform;
    const handler = services.plugins.handlers.get('queue.issue-ticket')!;
    const pluginCtx = services.plugins.context('queue');
    const first = await handler(job({ unitId: desk, serviceCode: 'HT' }, 'job-1'), pluginCtx);
    const retry = await handler(job({ unitId: desk, serviceCode: 'HT' }, 'job-1'), pluginCtx);
    expect(first).toEqual(retry);
    expect(first?.variables).toMatchObject({ queueTicketCode: 'Q001' });
    const clerk = await as('clerk');
    const waiting = await (await clerk.get(`/api/queue/tickets?unitId=${desk}`)).json();
    expect(waiting).toEqual([expect.objectContaining({ dossierId: 'H01.01-260302-0001' })]);
  });

  it('reports a full queue as a BPMN business error and bad inputs as a technical one', async () => {
    const { desk } = await nextMorning();
    const { services } = ctx.t.platform;
    const handler = services.plugins.handlers.get('queue.issue-ticket')!;
    const base = services.plugins.context('queue') as PluginContext<QueueConfig>;
    const tiny = { ...base, config: { ...base.config, maxPerDay: 1 } };
    await handler(job({ unitId: desk, serviceCode: 'HT' }, 'job-a'), tiny);
    await expect(handler(job({ unitId: desk, serviceCode: 'HT' }, 'job-b'), tiny)).rejects.toSatisfy(
      (err) => err instanceof BpmnBusinessError && err.errorCode === 'queue.full',
    );
    await expect(handler(job({ serviceCode: 'HT' }, 'job-c'), base)).rejects.toSatisfy(
      (err) => err instanceof AppError && err.code === 'request.invalid',
    );
  });
});

describe('queue plugin: domain events', () => {
  const RECEPTION = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs" targetNamespace="https://motcua.dev">
  <bpmn:process id="queue-reception" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="receive" />
    <bpmn:userTask id="receive" name="Tiếp nhận hồ sơ" camunda:candidateGroups="receptionist" />
    <bpmn:sequenceFlow id="f2" sourceRef="receive" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

  it("Given a called ticket of a dossier, When the clerk completes the dossier's step at that desk, Then the ticket is done in the same transaction and queue.ticket.finished is published", async () => {
    const { desk, clerk } = await nextMorning();
    const { services } = ctx.t.platform;
    const finished: Record<string, unknown>[] = [];
    services.events.subscribe('queue.ticket.finished', (e) => void finished.push(e.payload));
    const analyst = await as('analyst');
    expect((await analyst.post('/api/definitions', RECEPTION, { 'content-type': 'application/xml' })).status).toBeLessThan(300);
    // Given a ticket for dossier HS-Q-1, called to desk 1, and the dossier's reception step
    const ticket = (await (await clerk.post('/api/queue/tickets', { unitId: desk, serviceCode: 'HT', dossierId: 'HS-Q-1' })).json()) as {
      id: string;
    };
    expect((await clerk.post('/api/queue/call-next', { unitId: desk, desk: 'Quầy 1' })).status).toBe(200);
    const started = await rawStart(ctx.t, { definitionKey: 'queue-reception', businessKey: 'HS-Q-1', unitId: desk }, clerk);
    expect(started.status, await started.clone().text()).toBe(201);
    const { openTasks } = (await (await clerk.get(`/api/instances/${(await started.json()).id}`)).json()) as {
      openTasks: { id: string }[];
    };
    // When the clerk completes it
    expect((await clerk.post(`/api/tasks/${openTasks[0].id}/complete`, { variables: {} })).status).toBe(204);
    // Then the ticket is done, audited as the clerk, and announced
    const [row] = await services.db.em().execute<{ status: string }[]>('SELECT status FROM queue_tickets WHERE id = ?', [ticket.id]);
    expect(row.status).toBe('done');
    const { records } = await (await (await as('auditor')).get(`/api/audit?action=queue.ticket.done&targetId=${ticket.id}`)).json();
    expect(records).toEqual([expect.objectContaining({ actorName: 'clerk' })]);
    expect(finished).toEqual([{ ticketId: ticket.id, code: 'Q001', unitId: desk, dossierId: 'HS-Q-1', outcome: 'done' }]);
  });

  it('lets a plugin publish only events under its own id', async () => {
    const { services } = ctx.t.platform;
    const pluginCtx = services.plugins.context('queue');
    const err = await pluginCtx
      .em()
      .transactional((em) => pluginCtx.events.publish(em, 'task.completed', {}))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('event.invalid');
  });
});

describe('queue plugin: the other ports', () => {
  const ARRIVAL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:motcua="https://motcua.dev/schema/bpmn/1.0" id="Defs" targetNamespace="https://motcua.dev">
  <bpmn:message id="Msg_Called" name="queue-called" motcua:external="true" />
  <bpmn:process id="queue-arrival" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait" name="Chờ gọi số"><bpmn:messageEventDefinition messageRef="Msg_Called" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

  it("Given a dossier's process waiting for its citizen, When the clerk calls the dossier's ticket, Then the queue's message (engine.publishMessage) reaches it", async () => {
    const { desk, clerk } = await nextMorning();
    const analyst = await as('analyst');
    expect((await analyst.post('/api/definitions', ARRIVAL, { 'content-type': 'application/xml' })).status).toBeLessThan(300);
    const started = await rawStart(ctx.t, { definitionKey: 'queue-arrival', businessKey: 'HS-Q-ARR', unitId: desk }, clerk);
    expect(started.status, await started.clone().text()).toBe(201);
    const { id } = (await started.json()) as { id: string };
    await clerk.post('/api/queue/tickets', { unitId: desk, serviceCode: 'HT', dossierId: 'HS-Q-ARR' });
    expect((await clerk.post('/api/queue/call-next', { unitId: desk, desk: 'Quầy 2' })).status).toBe(200);
    const view = (await (await clerk.get(`/api/instances/${id}`)).json()) as { status: string; variables: Record<string, unknown> };
    expect(view.status).toBe('completed');
  });

  it("offers its read API to a plugin that uses it, and expires yesterday's waiting tickets with its chore", async () => {
    const { desk, clerk } = await nextMorning();
    const { services } = ctx.t.platform;
    const ticket = await issue(clerk, desk);
    const notice = services.plugins.context('notice');
    expect(await notice.read<{ waiting(unitId: string): Promise<number> }>('queue.tickets').waiting(desk)).toBe(1);
    ctx.t.clock.advance(DAY);
    await services.jobs.runChores();
    const [row] = await services.db.em().execute<{ status: string }[]>('SELECT status FROM queue_tickets WHERE id = ?', [ticket.id]);
    expect(row.status).toBe('no_show');
  });

  it('serves its UI module and lists its menu entry', async () => {
    const clerk = await as('clerk');
    const ui = (await (await clerk.get('/api/plugins/ui')).json()) as { plugin: string; entry: string; navigation: { path: string }[] }[];
    const queue = ui.find((u) => u.plugin === 'queue')!;
    expect(queue).toMatchObject({ entry: '/plugins/queue/ui/queue-board.js', navigation: [expect.objectContaining({ path: '/queue' })] });
    const res = await clerk.get(queue.entry);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await res.text()).toContain("customElements.define('queue-board'");
    expect((await clerk.get('/plugins/queue/ui/../index.ts')).status).toBe(404);
  });
});
