// SQL statements one user-task completion runs when it opens the next user task (issue 14,
// point 3), on SQLite and PostgreSQL: counted by the dialect's fast path (`counts`: statements it
// ran plus those it left to the ORM), inside the command's transaction. BENCH_PARTS=sqlite skips
// PostgreSQL; so does an unreachable server (BENCH_PG_URL) or BENCH_SKIP_PG=1.
import type { BenchResult } from './run.ts';
import type { Platform } from '../core/boot.ts';
import type { Acting } from '../core/org/actor.ts';
import { withEachDialect } from './support/platform.ts';
import { FIVE_TASKS_XML, PROCESS_KEY } from './support/diagram.ts';

const ACTING: Acting = { actor: { id: null, name: 'bench:statements' }, requestId: null };

async function countCompletion(p: Platform): Promise<number> {
  const svc = p.services;
  const counts = () => {
    const c = svc.db.fastPath?.counts ?? svc.db.pgFastPath?.counts;
    if (!c) throw new Error('statements: no fast path to count with');
    return c.fast + c.orm;
  };
  await svc.db.em().transactional((em) => svc.engine.definitions.deploy(em, ACTING, FIVE_TASKS_XML, 'bench'));
  const instanceId = await svc.db.em().transactional((em) => svc.engine.start(em, ACTING, { definitionKey: PROCESS_KEY }));
  const [{ id }] = await svc.db
    .em()
    .execute<{ id: string }[]>("SELECT id FROM tasks WHERE instance_id = ? AND status = 'open'", [instanceId]);
  const task = await svc.engine.loadTask(svc.db.em(), id);
  const before = counts();
  await svc.db.em().transactional((em) => svc.engine.completeTask(em, ACTING, task, { ok: true }));
  const statements = counts() - before;
  const open = await svc.db
    .em()
    .execute<{ activity_id: string }[]>("SELECT activity_id FROM tasks WHERE instance_id = ? AND status = 'open'", [instanceId]);
  if (open.length !== 1 || open[0].activity_id === 'tiep_nhan') throw new Error('statements: the completion did not open the next task');
  return statements;
}

export default async function statementsBench(): Promise<BenchResult[]> {
  const notes: string[] = [];
  const parts = process.env.BENCH_PARTS;
  if (parts && !parts.split(',').includes('pg')) process.env.BENCH_SKIP_PG ??= '1';
  const results = await withEachDialect('bench_statements', notes, async (dialect, p) => [
    {
      name: `${dialect}: SQL statements per user-task completion that opens the next user task`,
      value: await countCompletion(p),
      unit: 'statements',
      baseline: null,
      ratio: null,
    },
  ]);
  for (const n of notes) console.log(`  ${n}`);
  return results;
}
