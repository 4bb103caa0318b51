// MikroORM's per-call cost beside the raw fast path (issue 14, point 6): the entity manager's
// reads and writes that ordinary paths (calendar, packs, catalogue drafts, outbox, job claims,
// incidents, messages) now take, each timed per call against a raw primary-key read through
// `sql(em)` in the same setting. Settings: inside one `em.transactional` and outside (a forked em),
// with no other entity managed by the em and with MANAGED (1,000) entities of the read's type
// already in its identity map. SQLite and PostgreSQL in one process (BENCH_SKIP_PG=1 or an
// unreachable BENCH_PG_URL skips PostgreSQL). Run alone: `npm run bench -- orm`;
// BENCH_SCALE=small keeps it short; BENCH_ORM_CALLS sets the timed calls per measure. Writes outside
// a transaction each commit on their own: on SQLite (synchronous=FULL) and PostgreSQL that is an
// fsync per call, which their figures measure more than the ORM. What the figures come from
// (profiles, the pieces timed apart): ADR 0012, amendment "What the ORM's path costs".
import type { EntityManager } from '@mikro-orm/knex';
import type { BenchResult } from './run.ts';
import type { Platform } from '../core/boot.ts';
import { sql } from '../core/db/sql.ts';
import { CalendarRevision, CalendarYear } from '../core/calendar/entities.ts';
import { printTable } from './support/table.ts';
import { withEachDialect } from './support/platform.ts';

const SMALL = process.env.BENCH_SCALE === 'small';
const CALLS = Number(process.env.BENCH_ORM_CALLS ?? (SMALL ? 500 : 2_500));
if (!Number.isInteger(CALLS) || CALLS < 10)
  throw new Error(`BENCH_ORM_CALLS must be an integer of at least 10 (got "${process.env.BENCH_ORM_CALLS}")`);
const ROUNDS = 5;
/** Untimed calls of every operation, in one transaction, before the first timed setting (the JIT's tiers). */
const WARMUP = SMALL ? 400 : 1_500;
const MANAGED = 1_000;
/** The row every read fetches by primary key. */
const YEAR = 2000;
/** The managed entities' rows (years FIRST_MANAGED …), read once into the em before timing. */
const FIRST_MANAGED = 3000;

let nextInsertId = 1_000;

interface Operation {
  name: string;
  run(em: EntityManager, i: number): Promise<unknown>;
}

const OPERATIONS: Operation[] = [
  { name: 'raw primary-key read, sql(em).get', run: (em) => sql(em).get('SELECT * FROM calendar_years WHERE year = ?', [YEAR]) },
  {
    name: 'em.execute, the same SQL through MikroORM and knex',
    run: (em) => em.execute('SELECT * FROM calendar_years WHERE year = ?', [YEAR], 'get'),
  },
  {
    name: 'em.findOne (managed, refresh: a query every call)',
    run: (em) => em.findOne(CalendarYear, { year: YEAR }, { refresh: true }),
  },
  {
    name: 'em.findOne with disableIdentityMap',
    run: (em) => em.findOne(CalendarYear, { year: YEAR }, { disableIdentityMap: true }),
  },
  { name: 'em.find with disableIdentityMap', run: (em) => em.find(CalendarYear, { year: YEAR }, { disableIdentityMap: true }) },
  {
    name: 'em.createQueryBuilder select, execute get',
    run: (em) => em.createQueryBuilder(CalendarYear).select('*').where({ year: YEAR }).execute('get', false),
  },
  {
    name: 'raw update, sql(em).run',
    run: (em, i) => sql(em).run('UPDATE calendar_revision SET revision = ? WHERE id = ?', [i, 1]),
  },
  { name: 'em.nativeUpdate', run: (em, i) => em.nativeUpdate(CalendarRevision, { id: 1 }, { revision: i }) },
  { name: 'em.insert', run: (em) => em.insert(CalendarRevision, { id: nextInsertId++, revision: 0 }) },
  {
    name: 'em.transactional, empty (BEGIN/COMMIT; in a transaction SAVEPOINT/RELEASE)',
    run: (em) => em.transactional(async () => undefined),
  },
];

async function seed(p: Platform): Promise<void> {
  const em = p.services.db.em();
  const row = (year: number) => ({
    year,
    status: 'confirmed',
    weekly: '[1,2,3,4,5]',
    hours: '{"morning":["07:30","11:30"],"afternoon":["13:30","17:00"]}',
    cutoff: '16:00',
    source: null,
    revision: 1,
    updatedAt: new Date(),
    updatedBy: null,
  });
  await em.transactional(async (tx) => {
    await tx.insertMany(CalendarYear, [row(YEAR), ...Array.from({ length: MANAGED }, (_, i) => row(FIRST_MANAGED + i))]);
    await tx.insert(CalendarRevision, { id: 1, revision: 0 });
  });
}

/**
 * Microseconds per call of each operation on `em`: ROUNDS rounds (after one untimed warm-up round)
 * of CALLS / ROUNDS calls per operation, interleaved, each operation's fastest round kept (the
 * machine is shared: the fastest round is the one least disturbed by others).
 */
async function perCall(em: EntityManager): Promise<Map<string, number>> {
  const best = new Map<string, number>();
  const perRound = Math.max(10, Math.round(CALLS / ROUNDS));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const op of OPERATIONS) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < perRound; i++) await op.run(em, i);
      const us = Number(process.hrtime.bigint() - t0) / 1e3 / perRound;
      if (round > 0) best.set(op.name, Math.min(best.get(op.name) ?? Infinity, us));
    }
  }
  return best;
}

async function measureSetting(p: Platform, tx: boolean, managed: boolean): Promise<Map<string, number>> {
  const body = async (em: EntityManager) => {
    if (managed) {
      await em.find(CalendarYear, { year: { $gte: FIRST_MANAGED } });
      const inMap = [...em.getUnitOfWork().getIdentityMap()].length;
      if (inMap < MANAGED) throw new Error(`orm bench: ${inMap} entities managed, expected ${MANAGED}`);
    }
    return perCall(em);
  };
  const em = p.services.db.em();
  return tx ? em.transactional(body) : body(em);
}

export default async function ormBench(): Promise<BenchResult[]> {
  const notes: string[] = [];
  const started = Date.now();
  const results = await withEachDialect('bench_orm', notes, async (dialect, p) => {
    await seed(p);
    await p.services.db.em().transactional(async (em) => {
      for (const op of OPERATIONS) for (let i = 0; i < WARMUP; i++) await op.run(em, i);
    });
    const rows: BenchResult[] = [];
    for (const tx of [true, false]) {
      for (const managed of [false, true]) {
        const times = await measureSetting(p, tx, managed);
        const base = times.get(OPERATIONS[0].name)!;
        const setting = `${tx ? 'in a transaction' : 'outside a transaction'}, ${managed ? `${MANAGED} entities managed` : 'none managed'}`;
        for (const [name, us] of times) {
          rows.push({
            name: `${dialect}: ${name} (${setting})`,
            value: Number(us.toFixed(1)),
            unit: 'µs/call',
            baseline: Number(base.toFixed(1)),
            ratio: Number((us / base).toFixed(2)),
          });
        }
      }
    }
    return rows;
  });
  printTable(results, notes, (Date.now() - started) / 1000);
  return results;
}
