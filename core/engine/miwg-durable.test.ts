import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import { definePlugin, type ServiceTaskHandler } from '../plugin-host/define-plugin.ts';
import type { Acting } from '../org/actor.ts';
import { toDate } from '../jobs/jobs.ts';
import { runEngine } from './run.ts';
import type { InstanceRow, TaskRow } from './rows.ts';

// The executable MIWG reference diagrams (../shared/corpus/miwg, CC BY 3.0), this time through
// the durable runtime: deployed over HTTP, started, and driven to their end one command at a
// time (tasks completed, due jobs run, other waits answered), with nothing kept in memory.
const corpus = new URL('../../../shared/corpus/miwg/', import.meta.url);
const FILES = ['A.1.0', 'A.2.0', 'A.3.0', 'A.4.0', 'A.4.1', 'C.8.1', 'C.9.0', 'C.9.1', 'C.9.2'];

/** The corpus's topics belong to other products: a handler that does nothing answers each. */
const TOPICS = [
  'DMN',
  'emailService',
  'http',
  'update',
  'calculateScore',
  'cancelApplication',
  'informCustomerSuccessfulCancelation',
  'informOperationsSuccessfulCancelation',
  'io.camunda:sendgrid:1',
  'issuePolicy',
  'rejectPolicy',
  'reportFraud',
  'timeoutHandled',
  'email',
  'notifyCustomerDelay',
  'dmn-risk_check',
];
/** Plugin topics are `<namespace>.<verb-noun>`: each corpus topic is renamed into ours before deploying. */
const ours = (topic: string) => `miwgtest.${topic.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
const noop: ServiceTaskHandler = async () => ({ variables: {} });
const miwg = definePlugin({ id: 'miwgtest', version: '1.0.0', handlers: Object.fromEntries(TOPICS.map((t) => [ours(t), noop])) });
const renamed = (xml: string) =>
  xml
    .replace(/(zeebe:taskDefinition type=|camunda:topic=)"([^"]+)"/g, (_m, attr: string, topic: string) => `${attr}"${ours(topic)}"`)
    // A business-rule task's decision is topic `dmn:<id>`: here a handler of ours stands in for it.
    .replace(
      /<zeebe:calledDecision decisionId="([^"]+)"[^>]*\/>/g,
      (_m, id: string) => `<zeebe:taskDefinition type="${ours(`dmn-${id}`)}" />`,
    );

const ctx = useTestPlatform({ plugins: [miwg] });
const DRIVER: Acting = { actor: { id: null, name: 'test:miwg-driver' }, requestId: null };

let analyst: TestClient;
let admin: TestClient;

beforeAll(async () => {
  analyst = await ctx.t.login('analyst');
  admin = await ctx.t.login('admin');
});

const svc = () => ctx.t.platform.services;

/** One step towards the end: a user task, else a due job (moving the clock to it), else any other wait answered. */
async function step(instanceId: string): Promise<string | null> {
  const em = svc().db.em();
  const [task] = await em.execute<TaskRow[]>("SELECT * FROM tasks WHERE instance_id = ? AND status = 'open' ORDER BY created_at, id", [
    instanceId,
  ]);
  if (task) {
    await svc()
      .db.em()
      .transactional((tx) => svc().engine.completeTask(tx, DRIVER, task, {}));
    return `task ${task.activity_id}`;
  }
  const [job] = await em.execute<{ activity_id: string | null; due_at: unknown }[]>(
    "SELECT activity_id, due_at FROM jobs WHERE instance_id = ? AND status = 'pending' ORDER BY due_at",
    [instanceId],
  );
  if (job) {
    const due = toDate(job.due_at);
    if (due > ctx.t.clock.now()) ctx.t.clock.set(due);
    await svc().jobs.runDue();
    return `job ${job.activity_id}`;
  }
  const row = await svc().engine.loadInstance(em, instanceId);
  if (!row.state) return null;
  const def = await svc().engine.definitions.byId(em, row.definition_id);
  const { waiting } = await runEngine(def, svc().clock, {
    instanceId,
    state: JSON.parse(row.state) as object,
    variables: JSON.parse(row.variables) as Record<string, unknown>,
  });
  const other = waiting.find((w) => w.type !== 'bpmn:BoundaryEvent' && !w.type.endsWith('UserTask'));
  if (!other) return null;
  const done = await svc()
    .db.em()
    .transactional((tx) =>
      svc().engine.signal(tx, DRIVER, instanceId, { activityId: other.activityId, executionId: other.executionId, variables: {} }),
    );
  return done ? `signal ${other.activityId}` : null;
}

describe('MIWG reference diagrams through the durable runtime', () => {
  for (const file of FILES) {
    it(`Given ${file}.bpmn deployed over HTTP, when each of its processes is started and driven one command at a time, then it completes`, async () => {
      analyst = await ctx.t.login('analyst'); // the clock may have moved past the session
      const res = await analyst.post('/api/definitions', renamed(readFileSync(new URL(`${file}.bpmn`, corpus), 'utf8')), {
        'content-type': 'application/xml',
      });
      expect([200, 201], await res.clone().text()).toContain(res.status);
      const { definitions } = (await res.json()) as { definitions: { key: string; version: number }[] };
      expect(definitions.length).toBeGreaterThan(0);
      for (const d of definitions) {
        admin = await ctx.t.login('admin');
        const started = await admin.post('/api/instances', { definitionKey: d.key, version: d.version, businessKey: `MIWG-${file}` });
        expect(started.status, await started.clone().text()).toBe(201);
        const { id } = (await started.json()) as { id: string };
        const trail: string[] = [];
        for (let i = 0; i < 60; i++) {
          const row: InstanceRow = await svc().engine.loadInstance(svc().db.em(), id);
          if (row.status !== 'running') break;
          let did: string | null;
          try {
            did = await step(id);
          } catch (err) {
            trail.push(`failed: ${(err as Error).message}`);
            break;
          }
          if (!did) break;
          trail.push(did);
        }
        const row = await svc().engine.loadInstance(svc().db.em(), id);
        expect({ process: d.key, status: row.status, trail }).toMatchObject({ process: d.key, status: 'completed' });
        expect(row.state).toBeNull();
      }
    });
  }
});
