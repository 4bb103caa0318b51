import { beforeAll, describe, expect, it } from 'vitest';
import { rawStart, useHarness, type TestClient } from '../../tests/support/harness.ts';

const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const HOUR = 3_600_000;

let clerk: TestClient;
let specialist: TestClient;

interface InstanceView {
  id: string;
  status: string;
  businessKey: string | null;
  definitionKey: string;
  variables: Record<string, unknown>;
  openTasks: { id: string; activityId: string; status: string }[];
  history: { activityId: string; endedAt: string | null }[];
}

const { deploy, start, instance, complete, send } = h.process<InstanceView>({ as: () => clerk });

beforeAll(async () => {
  clerk = await h.login('clerk');
  specialist = await h.login('specialist');
  const analyst = await h.login('analyst');
  for (const file of [
    'msg-catch.bpmn',
    'msg-receive.bpmn',
    'msg-boundary.bpmn',
    'msg-start.bpmn',
    'msg-agencies.bpmn',
    'msg-branch.bpmn',
  ]) {
    await deploy(file, { as: analyst, status: 201 });
  }
});

const subscriptions = async (instanceId: string) =>
  h
    .em()
    .execute<{ activity_id: string; message_name: string; correlation_key: string | null }[]>(
      'SELECT activity_id, message_name, correlation_key FROM message_subscriptions WHERE instance_id = ?',
      [instanceId],
    );

const audits = async (action: string) =>
  Number((await h.em().execute<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM audit_log WHERE action = ?', [action]))[0].n);

describe('messages', () => {
  it('a throw event on a path not taken publishes nothing; on the path taken, its message', async () => {
    const published = async (key: string) =>
      Number(
        (
          await h
            .em()
            .execute<{ n: number | string }[]>("SELECT COUNT(*) AS n FROM messages WHERE name = 'nhanh.gui' AND correlation_key = ?", [key])
        )[0].n,
      );
    // Given the exclusive gateway takes its default flow, the throw event on the other branch is discarded
    const skipped = await start('msg-branch', 'NB-1', { gui: false });
    expect(skipped.openTasks.map((t) => t.activityId)).toEqual(['after']);
    expect(await published('NB-1')).toBe(0);
    // When it takes the branch, the message goes out (buffered: nobody waits for it)
    const sent = await start('msg-branch', 'NB-2', { gui: true });
    expect(sent.openTasks.map((t) => t.activityId)).toEqual(['after']);
    expect(await published('NB-2')).toBe(1);
  });

  it('a catch event receives its message by name and business key; its variables arrive under messages.<name>', async () => {
    // Given an instance waiting at "ket-qua-thue" with business key HS-1
    const inst = await start('msg-catch', 'HS-1');
    await complete(inst.id);
    expect(await subscriptions(inst.id)).toEqual([{ activity_id: 'wait', message_name: 'ket-qua-thue', correlation_key: 'HS-1' }]);
    // When a message with another key arrives, then nothing happens to it (buffered)
    expect((await send({ name: 'ket-qua-thue', correlationKey: 'HS-OTHER', variables: { x: 1 } })).status).toBe('buffered');
    expect((await instance(inst.id)).status).toBe('running');
    // When the matching message arrives
    const sent = await send({ name: 'ket-qua-thue', correlationKey: 'HS-1', variables: { tax: 1200 } });
    // Then it is correlated and the instance ends with the message's variables
    expect(sent).toMatchObject({ status: 'correlated', instanceId: inst.id, duplicate: false });
    const done = await instance(inst.id);
    expect(done.status).toBe('completed');
    expect(done.variables).toMatchObject({ messages: { 'ket-qua-thue': { tax: 1200 } } });
    expect(done.variables).not.toHaveProperty('tax');
    expect(await subscriptions(inst.id)).toEqual([]);
    expect(await audits('message.correlated')).toBeGreaterThan(0);
  });

  it('a message sent before the wait is buffered and delivered when the instance reaches the catch; a repeated messageId is ignored', async () => {
    const inst = await start('msg-catch', 'HS-2');
    // Given a message sent while the instance is still at its user task
    const first = await send({ name: 'ket-qua-thue', correlationKey: 'HS-2', variables: { tax: 7 }, messageId: 'thue-HS-2' });
    expect(first).toMatchObject({ status: 'buffered', messageId: 'thue-HS-2', instanceId: null });
    expect(first.expiresAt).toBe(new Date(h.t.clock.now().getTime() + 72 * HOUR).toISOString());
    // When the same messageId comes again, then it is ignored and says so
    expect(await send({ name: 'ket-qua-thue', correlationKey: 'HS-2', variables: { tax: 8 }, messageId: 'thue-HS-2' })).toMatchObject({
      status: 'duplicate',
      duplicate: true,
    });
    // When the instance reaches the catch event, then the buffered message is delivered
    await complete(inst.id);
    const done = await instance(inst.id);
    expect(done.status).toBe('completed');
    expect(done.variables).toMatchObject({ messages: { 'ket-qua-thue': { tax: 7 } } });
    // And a repeat after delivery is still ignored
    expect(await send({ name: 'ket-qua-thue', correlationKey: 'HS-2', variables: { tax: 9 }, messageId: 'thue-HS-2' })).toMatchObject({
      status: 'duplicate',
      instanceId: inst.id,
    });
    expect(await audits('message.buffered')).toBeGreaterThan(0);
  });

  it('the same new messageId sent ten times at once is stored once: one delivery, nine duplicates, no conflict', async () => {
    const inst = await start('msg-catch', 'HS-RACE');
    await complete(inst.id);
    const body = { name: 'ket-qua-thue', correlationKey: 'HS-RACE', variables: { tax: 11 }, messageId: 'thue-HS-RACE' };
    const results = await Promise.all(Array.from({ length: 10 }, () => send(body)));
    expect(results.filter((r) => r.status === 'correlated')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(9);
    const [{ n }] = await h
      .em()
      .execute<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM messages WHERE message_id = ?', ['thue-HS-RACE']);
    expect(Number(n)).toBe(1);
    expect(await instance(inst.id)).toMatchObject({ status: 'completed', variables: { messages: { 'ket-qua-thue': { tax: 11 } } } });
  });

  it('an expired buffered message is not delivered', async () => {
    const inst = await start('msg-catch', 'HS-3');
    expect((await send({ name: 'ket-qua-thue', correlationKey: 'HS-3', variables: { late: true } })).status).toBe('buffered');
    // When more than the time-to-live (72 h) passes
    h.t.clock.advance(73 * HOUR);
    clerk = await h.t.login('clerk');
    await complete(inst.id);
    // Then the instance still waits at the catch event
    const waiting = await instance(inst.id);
    expect(waiting.status).toBe('running');
    expect(waiting.variables).not.toHaveProperty('messages');
    expect(await subscriptions(inst.id)).toHaveLength(1);
    specialist = await h.t.login('specialist');
  });

  it('a receive task receives its message', async () => {
    const inst = await start('msg-receive', 'HS-4');
    expect(await subscriptions(inst.id)).toEqual([{ activity_id: 'receive', message_name: 'ho-so-bo-sung', correlation_key: 'HS-4' }]);
    expect(await send({ name: 'ho-so-bo-sung', correlationKey: 'HS-4', variables: { files: 2 } })).toMatchObject({
      status: 'correlated',
      instanceId: inst.id,
    });
    expect(await instance(inst.id)).toMatchObject({ status: 'completed', variables: { messages: { 'ho-so-bo-sung': { files: 2 } } } });
  });

  it('a motcua:correlationKey on the catching element replaces the business key', async () => {
    const analyst = await h.t.login('analyst');
    const xml = h
      .fixture('msg-receive.bpmn')
      .replaceAll('msg-receive', 'msg-receive-key')
      .replace('<bpmn:receiveTask id="receive"', '<bpmn:receiveTask id="receive" motcua:correlationKey="=dossier.code"');
    await deploy(xml, { as: analyst, status: 201 });
    const res = await rawStart(
      h.t,
      {
        definitionKey: 'msg-receive-key',
        businessKey: 'HS-7',
        variables: { dossier: { code: 'G01.01-260302-0007' } },
      },
      clerk,
    );
    const inst = (await res.json()) as InstanceView;
    expect(await subscriptions(inst.id)).toEqual([
      { activity_id: 'receive', message_name: 'ho-so-bo-sung', correlation_key: 'G01.01-260302-0007' },
    ]);
    expect((await send({ name: 'ho-so-bo-sung', correlationKey: 'HS-7' })).status).toBe('buffered');
    expect(await send({ name: 'ho-so-bo-sung', correlationKey: 'G01.01-260302-0007' })).toMatchObject({
      status: 'correlated',
      instanceId: inst.id,
    });
  });

  it('an interrupting message boundary event cancels the task and takes its path', async () => {
    const inst = await start('msg-boundary', 'HS-5');
    const task = (await instance(inst.id)).openTasks;
    expect(task).toHaveLength(1);
    expect(await send({ name: 'rut-ho-so', correlationKey: 'HS-5' })).toMatchObject({ status: 'correlated', instanceId: inst.id });
    const done = await instance(inst.id);
    expect(done.status).toBe('completed');
    expect(done.openTasks).toEqual([]);
    expect(done.history.map((h) => h.activityId)).toContain('withdrawn');
    const [row] = await h.em().execute<{ status: string }[]>('SELECT status FROM tasks WHERE instance_id = ?', [inst.id]);
    expect(row.status).toBe('cancelled');
  });

  it('a message start event starts an instance with the key as business key', async () => {
    const sent = await send({ name: 'ho-so-truc-tuyen', correlationKey: 'DVC-0001', variables: { applicant: 'Nguyễn Văn B' } });
    expect(sent.status).toBe('started');
    const inst = await instance(sent.instanceId!);
    expect(inst).toMatchObject({
      definitionKey: 'msg-start',
      businessKey: 'DVC-0001',
      status: 'running',
      variables: { applicant: 'Nguyễn Văn B' },
    });
    expect(inst.openTasks.map((t) => t.activityId)).toEqual(['check']);
  });

  it('a message reaches only instances within the sender’s units', async () => {
    const inst = await start('msg-receive', 'HS-6');
    // The specialist's unit (DEMO.STP) does not hold the clerk's instance: the message is buffered instead.
    expect((await send({ name: 'ho-so-bo-sung', correlationKey: 'HS-6' }, { as: specialist })).status).toBe('buffered');
    expect((await instance(inst.id)).status).toBe('running');
    const auditor = await h.t.login('auditor');
    expect((await auditor.post('/api/messages', { name: 'ho-so-bo-sung', correlationKey: 'HS-6' })).status).toBe(403);
  });

  it('two agencies: A’s send task starts B’s process, A waits for B’s answer, both end', async () => {
    // Given agency A (the clerk's unit) starts its process: its send task asks agency B
    const a = await start('agency-a', 'LT-001');
    const aView = await instance(a.id);
    expect(aView.status).toBe('running');
    expect(await subscriptions(a.id)).toEqual([{ activity_id: 'a-wait', message_name: 'ket-qua-xac-minh', correlation_key: 'LT-001' }]);
    // Then B's process started in B's unit, with the same business key
    const [b] = await h
      .em()
      .execute<{ id: string; unit_id: string }[]>(
        "SELECT id, unit_id FROM process_instances WHERE definition_key = 'agency-b' AND business_key = 'LT-001'",
      );
    expect(b).toBeTruthy();
    // When B's specialist verifies, B throws its answer
    await complete(b.id, { as: specialist, variables: { verified: true } });
    // Then both end, A with B's result
    expect((await instance(b.id, specialist)).status).toBe('completed');
    const aDone = await instance(a.id);
    expect(aDone.status).toBe('completed');
    expect(aDone.variables).toMatchObject({ messages: { 'ket-qua-xac-minh': { verified: true } } });
    expect(aDone.variables).not.toHaveProperty('verified');
  });

  it('a message sent through the API skips a wait for the same name that is not marked motcua:external', async () => {
    const analyst = await h.t.login('analyst');
    const internal = h.fixture('msg-catch.bpmn').replaceAll('msg-catch', 'msg-catch-internal').replace(' motcua:external="true"', '');
    await deploy(internal, { as: analyst, status: 201 });
    const inst = await start('msg-catch-internal', 'HS-INT');
    await complete(inst.id);
    // Another deployed process accepts "ket-qua-thue" from outside, so the name is not refused: it is buffered, never delivered here.
    expect((await send({ name: 'ket-qua-thue', correlationKey: 'HS-INT', variables: { tax: 1 } })).status).toBe('buffered');
    const still = await instance(inst.id);
    expect(still.status).toBe('running');
    expect(still.variables).not.toHaveProperty('messages');
    expect(await subscriptions(inst.id)).toHaveLength(1);
  });

  it('output parameters on the catching element map the message into process variables; nothing else of it is written', async () => {
    const analyst = await h.t.login('analyst');
    const xml = h
      .fixture('msg-receive.bpmn')
      .replaceAll('msg-receive', 'msg-receive-io')
      .replace(
        'messageRef="Msg_BoSung">',
        'messageRef="Msg_BoSung"><bpmn:extensionElements><camunda:inputOutput><camunda:outputParameter name="supplementFiles">${files}</camunda:outputParameter></camunda:inputOutput></bpmn:extensionElements>',
      );
    expect(xml).toContain('supplementFiles');
    await deploy(xml, { as: analyst, status: 201 });
    const inst = await start('msg-receive-io', 'HS-IO');
    expect(await send({ name: 'ho-so-bo-sung', correlationKey: 'HS-IO', variables: { files: 3, applicant: 'forged' } })).toMatchObject({
      status: 'correlated',
      instanceId: inst.id,
    });
    const done = await instance(inst.id);
    expect(done.status).toBe('completed');
    expect(done.variables).toMatchObject({ supplementFiles: 3 });
    expect(done.variables).not.toHaveProperty('applicant');
    expect(done.variables).not.toHaveProperty('messages');
  });
});
