import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../errors.ts';
import { confirmYear, getYear, importYear, proposeStored, type YearView } from '../calendar/service.ts';
import type { CalendarYear } from '../calendar/model.ts';
import { dayOfDate, weekdayOf } from '../calendar/working-time.ts';
import { inTransaction, withPlatform } from './context.ts';
import type { Act } from './act.ts';
import { intOption, out, table } from './output.ts';

const WEEKDAYS = ['CN', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'];
const ORIGIN: Record<YearView['origin'], string> = {
  stored: 'stored here',
  shipped: 'shipped with motcua',
  computed: 'computed, not stored',
};

/** A year as an operator reads it: status, hours, cut-off, then every day off and make-up day. */
export function yearLines(y: CalendarYear & { origin?: YearView['origin'] }): string[] {
  const lines = [
    `${y.year}: ${y.status}${y.origin ? ` (${ORIGIN[y.origin]})` : ''}`,
    `working days: ${y.weekly.map((d) => WEEKDAYS[d]).join(' ')}; hours: ${y.hours.map((h) => `${h.start}–${h.end}`).join(', ')}; same-day cut-off: ${y.cutoff}`,
  ];
  const rows = [
    ...y.holidays.map((d) => [d.date, WEEKDAYS[weekdayOf(dayOfDate(d.date))], 'day off', d.name]),
    ...y.makeUpDays.map((d) => [d.date, WEEKDAYS[weekdayOf(dayOfDate(d.date))], 'make-up working day', d.name]),
  ].sort((a, b) => a[0].localeCompare(b[0]));
  lines.push('', ...table(['date', 'day', 'kind', 'name'], rows));
  if (y.source) lines.push('', `source: ${y.source}`);
  return lines;
}

const yearArg = (v: string) => intOption('<year>', 1990, 2200)(v);

export function registerCalendarCommands(program: Command, act: Act): void {
  const cal = program
    .command('calendar')
    .description('the working-time calendar: holidays, make-up working days, working hours (changes are audited as cli:<os user>)');

  cal
    .command('show <year>')
    .description("print a year's table: stored here, shipped, or computed by the lunar converter")
    .action(
      act(async (year: string) => {
        const y = await withPlatform((p) => getYear(p.services.db.em(), yearArg(year)));
        for (const line of yearLines(y)) out(line);
      }),
    );

  cal
    .command('import <file>')
    .description('import a year from a JSON file (core/calendar/data/2026.json shows the shape); replaces its table')
    .action(
      act(async (file: string) => {
        let doc: unknown;
        try {
          doc = JSON.parse(readFileSync(file, 'utf8'));
        } catch (e) {
          throw new AppError('calendar.invalid_file', `${file}: ${(e as Error).message}`);
        }
        const y = await inTransaction((svc, em, acting) => importYear(em, svc, acting, doc, 'calendar.invalid_file'));
        out(`${y.year} imported (${y.status}): ${y.holidays.length} days off, ${y.makeUpDays.length} make-up working days`);
      }),
    );

  cal
    .command('propose <year>')
    .description('store the proposed holidays of a year from the Vietnamese lunar calendar, to be checked and confirmed')
    .action(
      act(async (year: string) => {
        const y = await inTransaction((svc, em, acting) => proposeStored(em, svc, acting, yearArg(year)));
        for (const line of yearLines(y)) out(line);
        out();
        out(`check the dates against the official announcement, then: motcua calendar confirm ${y.year}`);
      }),
    );

  cal
    .command('confirm <year>')
    .description('confirm a proposed year as it stands')
    .action(
      act(async (year: string) => {
        const y = await inTransaction((svc, em, acting) => confirmYear(em, svc, acting, yearArg(year)));
        out(`${y.year} confirmed: ${y.holidays.length} days off, ${y.makeUpDays.length} make-up working days`);
      }),
    );
}
