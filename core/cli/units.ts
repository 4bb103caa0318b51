import { Option, type Command } from 'commander';
import { AppError } from '../errors.ts';
import { localDate } from '../time.ts';
import { Unit, unitLevels, type UnitLevel } from '../org/entities.ts';
import { createUnit, findUnit, updateUnit } from '../org/units-service.ts';
import { inTransaction, withPlatform } from './context.ts';
import type { Act } from './act.ts';
import { isoDate, out } from './output.ts';

const CODE = /^[A-Za-z0-9._-]{1,64}$/;

/** The units as an indented tree, siblings by code; retired and merged units are marked (`today`: a Vietnam date). */
export function unitTree(units: Unit[], today: string): string[] {
  const byParent = new Map<string | null, Unit[]>();
  const ids = new Set(units.map((u) => u.id));
  const codeOf = new Map(units.map((u) => [u.id, u.code]));
  for (const u of units) {
    const parent = u.parentId && ids.has(u.parentId) ? u.parentId : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), u]);
  }
  const lines: string[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const u of (byParent.get(parent) ?? []).sort((a, b) => a.code.localeCompare(b.code))) {
      const marks: string[] = [];
      if (u.validTo) marks.push(u.validTo < today ? `retired, last day ${u.validTo}` : `last day ${u.validTo}`);
      if (u.successorId) marks.push(`→ ${codeOf.get(u.successorId) ?? u.successorId}`);
      lines.push(`${'  '.repeat(depth)}${u.code}  ${u.name} (${u.level})${marks.length ? `  [${marks.join(', ')}]` : ''}`);
      walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  return lines;
}

export function registerUnitCommands(program: Command, act: Act): void {
  const unit = program.command('unit').description('organisational units (changes are audited as cli:<os user>)');

  unit
    .command('add <code>')
    .description('create a unit, e.g. `unit add BN.STP --name "Sở Tư pháp" --level department --parent BN`')
    .requiredOption('--name <name>', 'name of the unit')
    .addOption(new Option('--level <level>', 'level').choices([...unitLevels]).makeOptionMandatory())
    .option('--parent <code>', 'parent unit (omit for a province root)')
    .option('--valid-from <date>', 'first day the unit exists, YYYY-MM-DD')
    .action(
      act(async (code: string, o: { name: string; level: UnitLevel; parent?: string; validFrom?: string }) => {
        if (!CODE.test(code)) throw new AppError('request.invalid', `Unit code "${code}": 1–64 letters, digits, dot, dash or underscore`);
        const validFrom = o.validFrom ? isoDate('--valid-from', o.validFrom) : null;
        const created = await inTransaction((svc, em, acting) =>
          createUnit(svc, em, acting, { code, name: o.name, level: o.level, parentId: o.parent ?? null, validFrom }),
        );
        out(`unit ${created.code} created${o.parent ? ` under ${o.parent}` : ''}`);
      }),
    );

  unit
    .command('list')
    .description('all units as a tree')
    .action(
      act(async () => {
        const lines = await withPlatform(async (p) => {
          const units = await p.services.db.em().find(Unit, {}, { orderBy: { code: 'asc' } });
          return unitTree(units, localDate(p.services.clock.now()));
        });
        if (lines.length === 0) out('no units');
        for (const line of lines) out(line);
      }),
    );

  unit
    .command('rename <code>')
    .description('rename a unit; the old name stays in its history')
    .requiredOption('--name <name>', 'the new name')
    .action(
      act(async (code: string, o: { name: string }) => {
        const u = await inTransaction(async (svc, em, acting) => {
          const current = await findUnit(em, code);
          return updateUnit(svc, em, acting, current.id, { version: current.version, name: o.name });
        });
        out(`unit ${u.code} renamed to "${u.name}"`);
      }),
    );

  unit
    .command('retire <code>')
    .description('retire a unit after its last day (default today), optionally naming the unit that takes over its work')
    .option('--successor <code>', 'the unit that succeeds it (merger)')
    .option('--date <date>', 'last day the unit exists, inclusive, as a Vietnam date YYYY-MM-DD (default: today)')
    .action(
      act(async (code: string, o: { successor?: string; date?: string }) => {
        const date = o.date ? isoDate('--date', o.date) : undefined;
        const u = await inTransaction(async (svc, em, acting) => {
          const current = await findUnit(em, code);
          const successor = o.successor ? await findUnit(em, o.successor) : null;
          return updateUnit(svc, em, acting, current.id, {
            version: current.version,
            validTo: date ?? localDate(svc.clock.now()),
            ...(successor ? { successorId: successor.id } : {}),
          });
        });
        out(`unit ${u.code} retired: ${u.validTo} is its last day${o.successor ? `, succeeded by ${o.successor}` : ''}`);
      }),
    );
}
