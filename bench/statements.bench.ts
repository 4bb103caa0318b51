// SQL statements the database receives (issue 14, point 3), on SQLite and PostgreSQL, for three
// commands: a user-task completion that opens the next user task, a message publish that
// correlates with a waiting instance (which then opens a user task), and a timer firing through
// the job runner (claim, fire, open the user task after it). Counted by core/db/statement-counter.ts:
// every statement, whichever path it takes (MikroORM's entity queries and query builders,
// `em.execute`, `sql(em)` on the fast path or not, BEGIN / COMMIT / SAVEPOINT), reported in all and
// by kind; beside it the statements that went through `sql(em)` (the fast path's own counters).
// BENCH_STATEMENTS_SHOW=1 prints each statement. BENCH_PARTS=sqlite skips PostgreSQL; so does an unreachable server (BENCH_PG_URL) or BENCH_SKIP_PG=1.
import type { BenchResult } from './run.ts';
import type { Platform } from '../core/boot.ts';
import type { Acting } from '../core/org/actor.ts';
import { countStatements, type StatementCounts } from '../core/db/statement-counter.ts';
import { sql } from '../core/db/sql.ts';
import { withEachDialect } from './support/platform.ts';
import { FIVE_TASKS_XML, PROCESS_KEY } from './support/diagram.ts';

const ACTING: Acting = { actor: { id: null, name: 'bench:statements' }, requestId: null };

const MESSAGE_KEY = 'bench-message';
const MESSAGE_XML = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:motcua="https://motcua.dev/schema/bpmn/1.0" id="bench-message-defs" targetNamespace="https://motcua.dev/bench">
  <message id="Msg_Result" name="bench-result" motcua:external="true" />
  <process id="${MESSAGE_KEY}" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f0" sourceRef="start" targetRef="wait" />
    <intermediateCatchEvent id="wait"><messageEventDefinition messageRef="Msg_Result" /></intermediateCatchEvent>
    <sequenceFlow id="f1" sourceRef="wait" targetRef="after" />
    <userTask id="after" name="After the message" />
    <sequenceFlow id="f2" sourceRef="after" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>
`;

const TIMER_KEY = 'bench-timer';
/** One second: the platform runs on the system clock, so the bench waits for it to fall due. */
const TIMER_XML = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="bench-timer-defs" targetNamespace="https://motcua.dev/bench">
  <process id="${TIMER_KEY}" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f0" sourceRef="start" targetRef="wait" />
    <intermediateCatchEvent id="wait"><timerEventDefinition><timeDuration>PT1S</timeDuration></timerEventDefinition></intermediateCatchEvent>
    <sequenceFlow id="f1" sourceRef="wait" targetRef="after" />
    <userTask id="after" name="After the timer" />
    <sequenceFlow id="f2" sourceRef="after" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>
`;

interface Measured {
  all: StatementCounts;
  /** Statements through `sql(em)` (fast path and its fall-backs to the ORM's path). */
  viaSql: number;
}

/** Counts the statements `command` makes the database receive. */
async function measure(p: Platform, command: () => Promise<unknown>): Promise<Measured> {
  const db = p.services.db;
  const path = db.fastPath ?? db.pgFastPath;
  if (!path) throw new Error('statements: no fast path to count with');
  const before = { ...path.counts };
  const show = process.env.BENCH_STATEMENTS_SHOW === '1';
  const counter = countStatements(db.orm, show ? (q, fast) => console.log(`    ${fast ? 'fast' : 'orm '}  ${q.slice(0, 160)}`) : undefined);
  try {
    await command();
    const all = counter.read();
    // The counter must have seen every statement the fast path ran (it sees them apart from knex).
    if (all.fastPath !== path.counts.fast - before.fast) throw new Error('statements: the counter missed fast-path statements');
    return { all, viaSql: path.counts.fast + path.counts.orm - before.fast - before.orm };
  } finally {
    counter.stop();
  }
}

async function openTasks(p: Platform, instanceId: string): Promise<string[]> {
  const rows = await sql(p.services.db.em()).all<{ activity_id: string }>(
    "SELECT activity_id FROM tasks WHERE instance_id = ? AND status = 'open'",
    [instanceId],
  );
  return rows.map((r) => r.activity_id);
}

async function deployAndStart(p: Platform, xml: string, key: string, businessKey: string): Promise<string> {
  const svc = p.services;
  await svc.db.em().transactional((em) => svc.engine.definitions.deploy(em, ACTING, xml, `${key}.bpmn`));
  return svc.db.em().transactional((em) => svc.engine.start(em, ACTING, { definitionKey: key, businessKey }));
}

async function completion(p: Platform): Promise<Measured> {
  const svc = p.services;
  const instanceId = await deployAndStart(p, FIVE_TASKS_XML, PROCESS_KEY, 'BENCH-COMPLETE');
  const [{ id }] = await sql(svc.db.em()).all<{ id: string }>("SELECT id FROM tasks WHERE instance_id = ? AND status = 'open'", [
    instanceId,
  ]);
  const task = await svc.engine.loadTask(svc.db.em(), id);
  const m = await measure(p, () => svc.db.em().transactional((em) => svc.engine.completeTask(em, ACTING, task, { ok: true })));
  const open = await openTasks(p, instanceId);
  if (open.length !== 1 || open[0] === 'tiep_nhan') throw new Error('statements: the completion did not open the next task');
  return m;
}

async function publish(p: Platform): Promise<Measured> {
  const svc = p.services;
  const instanceId = await deployAndStart(p, MESSAGE_XML, MESSAGE_KEY, 'BENCH-MSG');
  let status = '';
  const m = await measure(p, async () => {
    const r = await svc.db.em().transactional((em) =>
      svc.engine.publishMessage(em, ACTING, {
        name: 'bench-result',
        origin: 'api',
        correlationKey: 'BENCH-MSG',
        variables: { ok: true },
        messageId: null,
        scope: null,
        unit: { id: null, path: null },
      }),
    );
    status = r.status;
  });
  if (status !== 'correlated' || (await openTasks(p, instanceId)).join() !== 'after')
    throw new Error(`statements: the message did not correlate (${status})`);
  return m;
}

async function timer(p: Platform): Promise<Measured> {
  const svc = p.services;
  const instanceId = await deployAndStart(p, TIMER_XML, TIMER_KEY, 'BENCH-TIMER');
  await new Promise((r) => setTimeout(r, 1_200));
  let fired = 0;
  const m = await measure(p, async () => {
    fired = (await svc.jobs.runDue(1)).done;
  });
  if (fired !== 1 || (await openTasks(p, instanceId)).join() !== 'after') throw new Error('statements: the timer did not fire');
  return m;
}

const COMMANDS: [string, (p: Platform) => Promise<Measured>][] = [
  ['user-task completion that opens the next user task', completion],
  ['message publish that correlates (and opens a user task)', publish],
  ['timer firing through the job runner (and opens a user task)', timer],
];

const byKind = (c: StatementCounts) =>
  Object.entries(c.byKind)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

export default async function statementsBench(): Promise<BenchResult[]> {
  const notes: string[] = [];
  const parts = process.env.BENCH_PARTS;
  if (parts && !parts.split(',').includes('pg')) process.env.BENCH_SKIP_PG ??= '1';
  const results = await withEachDialect('bench_statements', notes, async (dialect, p) => {
    const rows: BenchResult[] = [];
    for (const [name, run] of COMMANDS) {
      const m = await run(p);
      notes.push(
        `${dialect}, ${name}: ${m.all.total} statements (${byKind(m.all)}); ${m.viaSql} through sql(em), ${m.all.fastPath} on its fast path`,
      );
      const row = (what: string, value: number) => ({
        name: `${dialect}: ${what} per ${name}`,
        value,
        unit: 'statements',
        baseline: null,
        ratio: null,
      });
      rows.push(row('SQL statements the database receives', m.all.total));
      for (const [kind, n] of Object.entries(m.all.byKind).sort()) rows.push(row(`${kind} statements`, n));
      rows.push(row('SQL statements through sql(em)', m.viaSql));
    }
    return rows;
  });
  for (const n of notes) console.log(`  ${n}`);
  return results;
}
