import { beforeAll, describe, expect, it } from 'vitest';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import { WorkingCalendar } from './working-calendar.ts';
import { createLogger } from '../logger.ts';
import { grantRole } from '../org/users-service.ts';

const ctx = useTestPlatform();
const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
const show = (d: Date) => new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

let admin: TestClient;
let clerk: TestClient;
let specialist: TestClient;
const unit: Record<string, string> = {};

async function audited(action: string, targetId: string): Promise<number> {
  const rows = await ctx.t.platform.services.db
    .em()
    .execute<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM audit_log WHERE action = ? AND target_id = ?', [action, targetId]);
  return Number(rows[0].n);
}

beforeAll(async () => {
  admin = await ctx.t.login('admin');
  clerk = await ctx.t.login('clerk');
  specialist = await ctx.t.login('specialist');
  for (const u of await ctx.t.platform.services.db.em().execute<{ id: string; code: string }[]>('SELECT id, code FROM units'))
    unit[u.code] = u.id;
});

describe('calendar API', () => {
  it('lets everyone signed in read a year, and nobody else', async () => {
    expect((await ctx.t.client().get('/api/calendar/years/2026')).status).toBe(401);
    const res = await clerk.get('/api/calendar/years/2026');
    expect(res.status).toBe(200);
    const y = await res.json();
    expect(y).toMatchObject({ year: 2026, status: 'confirmed', origin: 'shipped', cutoff: '15:00' });
    expect(y.holidays.map((d: { date: string }) => d.date)).toContain('2026-04-27');
    expect(y.makeUpDays.map((d: { date: string }) => d.date)).toEqual(['2026-01-10', '2026-08-22']);
    const later = await (await clerk.get('/api/calendar/years/2031')).json();
    expect(later).toMatchObject({ year: 2031, status: 'proposed', origin: 'computed' });
    expect((await clerk.get('/api/calendar/years/1200')).status).toBe(400);
    const list = await (await clerk.get('/api/calendar/years')).json();
    expect(list.map((l: { year: number }) => l.year)).toEqual(expect.arrayContaining([2025, 2026]));
  });

  it.each([
    ['2026-03-06T16:00:00+07:00', 'value=16&unit=working_hours', '2026-03-06T09:00:00.000Z', '2026-03-10T09:00:00.000Z', 16],
    ['2026-03-02T15:30:00+07:00', 'sameDay=true', '2026-03-02T08:30:00.000Z', '2026-03-03T10:00:00.000Z', 9.5],
    ['2026-03-02T15:30:00+07:00', 'sameDay=true&cutoff=16:00', '2026-03-02T08:30:00.000Z', '2026-03-02T10:00:00.000Z', 1.5],
    ['2026-03-02T18:00:00+07:00', 'value=10&unit=calendar_days', '2026-03-03T00:00:00.000Z', '2026-03-13T00:00:00.000Z', 64],
    ['2026-02-12T10:00:00+07:00', 'value=2&unit=working_days', '2026-02-12T03:00:00.000Z', '2026-02-23T03:00:00.000Z', 16],
  ])('answers when a limit received at %s with %s is due', async (from, limit, receivedAt, dueAt, workingHours) => {
    const res = await clerk.get(`/api/calendar/due?from=${encodeURIComponent(from)}&${limit}`);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ receivedAt, dueAt, workingHours });
  });

  it('refuses a due question without a limit', async () => {
    const res = await clerk.get(`/api/calendar/due?from=${encodeURIComponent('2026-03-02T08:00:00+07:00')}&value=3`);
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toContain('value and unit');
    expect((await clerk.get('/api/calendar/due?from=yesterday&sameDay=true')).status).toBe(400);
  });

  it('counts receipts in early years, and refuses those outside the years the calendar covers', async () => {
    // 1990 is the first year; a receipt before 1970 once answered 500 (negative remainder).
    const early = await clerk.get(`/api/calendar/due?from=${encodeURIComponent('1990-01-02T08:00:00+07:00')}&value=1&unit=working_hours`);
    expect(early.status, await early.clone().text()).toBe(200);
    for (const from of ['1969-12-31T23:00:00Z', '0001-01-01T00:00:00Z', '2201-01-01T00:00:00+07:00']) {
      const res = await clerk.get(`/api/calendar/due?from=${encodeURIComponent(from)}&value=1&unit=working_days`);
      expect(res.status, from).toBe(422);
      expect(await res.json()).toMatchObject({ code: 'calendar.out_of_range', first: 1990, last: 2200 });
    }
  });

  it('refuses edits without calendar.manage', async () => {
    const res = await clerk.patch('/api/calendar/years/2026', { cutoff: '16:00' });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('auth.forbidden');
    expect((await clerk.post('/api/calendar/years/2027/propose')).status).toBe(403);
  });

  it.each([
    [{ holidays: [{ date: '2026-02-30', name: 'x' }] }, 400, 'request.invalid', 'real calendar date'],
    [{ holidays: [{ date: '2027-01-01', name: 'x' }] }, 400, 'request.invalid', 'not in 2026'],
    [
      {
        hours: [
          { start: '13:30', end: '17:00' },
          { start: '07:00', end: '11:30' },
        ],
      },
      400,
      'request.invalid',
      'in order',
    ],
    [{ cutoff: '25:00' }, 400, 'request.invalid', 'HH:MM'],
    [{ year: 2027 }, 422, 'calendar.year_mismatch', '2027'],
    [{ status: 'proposed' }, 400, 'request.invalid', 'confirm'],
  ])('refuses a bad edit %j with %s %s', async (body, status, code, words) => {
    const res = await admin.patch('/api/calendar/years/2026', body);
    expect(res.status).toBe(status);
    const problem = await res.json();
    expect(problem.code).toBe(code);
    expect(problem.detail).toContain(words);
  });

  it('edits a year: audited, and deadlines count with it at once, on this node and (after a poll) on another', async () => {
    const svc = ctx.t.platform.services;
    const other = await WorkingCalendar.load(svc.db, createLogger('silent'), { pollMs: 0 });
    const before = (await (await admin.get('/api/calendar/years/2026')).json()).holidays;
    const res = await admin.patch('/api/calendar/years/2026', {
      holidays: [...before, { date: '2026-03-10', name: 'Ngày nghỉ của tỉnh' }],
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ origin: 'stored', status: 'confirmed' });
    expect(await audited('calendar.year_updated', '2026')).toBe(1);
    expect(show(svc.calendar.addWorkingHours(at('2026-03-09 16:00'), 2, { unitId: null }))).toBe('2026-03-11 08:00');
    // Another app node still counts with what it loaded, until its poll sees the new revision.
    expect(show(other.addWorkingHours(at('2026-03-09 16:00'), 2, { unitId: null }))).toBe('2026-03-10 08:00');
    expect(await other.poll()).toBe(true);
    expect(show(other.addWorkingHours(at('2026-03-09 16:00'), 2, { unitId: null }))).toBe('2026-03-11 08:00');
    expect(await other.poll()).toBe(false);
  });

  it('proposes a later year from the lunar calendar, confirms it once, and never proposes over a confirmed year', async () => {
    const refused = await admin.post('/api/calendar/years/2026/propose');
    expect(refused.status).toBe(409);
    expect((await refused.json()).code).toBe('calendar.year_confirmed');
    const proposed = await admin.post('/api/calendar/years/2027/propose');
    expect(proposed.status).toBe(200);
    expect(await proposed.json()).toMatchObject({ year: 2027, status: 'proposed', origin: 'stored' });
    const confirmed = await admin.post('/api/calendar/years/2027/confirm');
    expect(await confirmed.json()).toMatchObject({ status: 'confirmed' });
    expect((await admin.post('/api/calendar/years/2027/confirm')).status).toBe(409);
    expect(await audited('calendar.year_proposed', '2027')).toBe(1);
    expect(await audited('calendar.year_confirmed', '2027')).toBe(1);
  });

  it('imports a whole year', async () => {
    const doc = {
      year: 2029,
      status: 'confirmed',
      holidays: [{ date: '2029-01-01', name: 'Tết Dương lịch' }],
      makeUpDays: [{ date: '2029-01-06', name: 'Làm bù' }],
      source: 'test',
    };
    const res = await admin.post('/api/calendar/years', doc);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ year: 2029, origin: 'stored', weekly: [1, 2, 3, 4, 5], cutoff: '15:00' });
    expect(await audited('calendar.year_imported', '2029')).toBe(1);
    // Saturday 6 Jan 2029 is now a working day.
    expect(show(ctx.t.platform.services.calendar.addWorkingHours(at('2029-01-05 16:00'), 2, { unitId: null }))).toBe('2029-01-06 08:00');
    const bad = await admin.post('/api/calendar/years', { year: 2029, holidays: 'none' });
    expect(bad.status).toBe(400);
  });

  it('sets a unit’s override, which its subunits follow, within the editor’s units only', async () => {
    const centre = unit['DEMO.TTPVHCC'];
    const desk = unit['DEMO.TTPVHCC.Q1'];
    // Given the specialist is an admin of the Department of Justice only
    const svc = ctx.t.platform.services;
    await svc.db
      .em()
      .transactional((em) =>
        grantRole(
          svc,
          em,
          { actor: { id: null, name: 'test' }, requestId: null },
          { userId: 'specialist', role: 'admin', unitId: 'DEMO.STP' },
        ),
      );
    const outside = await specialist.request('PUT', `/api/calendar/units/${centre}`, { cutoff: '16:00' });
    // A unit outside the editor's units is one they may not see: answered as missing (ADR 0004).
    expect(outside.status).toBe(404);
    expect((await outside.json()).code).toBe('unit.not_found');
    const yearEdit = await specialist.patch('/api/calendar/years/2026', { cutoff: '16:00' });
    expect((await yearEdit.json()).code).toBe('auth.forbidden_scope');
    expect((await specialist.request('PUT', `/api/calendar/units/${unit['DEMO.STP']}`, { cutoff: '14:00' })).status).toBe(200);
    expect((await specialist.delete(`/api/calendar/units/${unit['DEMO.STP']}`)).status).toBe(204);
    const set = await admin.request('PUT', `/api/calendar/units/${centre}`, {
      hours: [
        { start: '07:30', end: '11:30' },
        { start: '13:00', end: '17:00' },
      ],
      cutoff: '16:00',
    });
    expect(set.status, await set.clone().text()).toBe(200);
    expect(await audited('calendar.unit_override_set', centre)).toBe(1);
    const view = await (await clerk.get(`/api/calendar/units/${desk}`)).json();
    expect(view).toEqual({ unitId: desk, override: null, appliesFrom: centre });
    const cal = ctx.t.platform.services.calendar;
    expect(show(cal.addWorkingHours(at('2026-03-02 07:00'), 1, { unitId: desk }))).toBe('2026-03-02 08:30');
    expect(show(cal.addWorkingHours(at('2026-03-02 07:00'), 1, { unitId: unit['DEMO.STP'] }))).toBe('2026-03-02 08:00');
    const invalid = await admin.request('PUT', `/api/calendar/units/${centre}`, { cutoff: 'noon' });
    expect(invalid.status).toBe(400);
    expect((await admin.request('PUT', '/api/calendar/units/no-such-unit', {})).status).toBe(404);
    expect((await admin.delete(`/api/calendar/units/${centre}`)).status).toBe(204);
    expect(await audited('calendar.unit_override_removed', centre)).toBe(1);
    expect((await admin.delete(`/api/calendar/units/${centre}`)).status).toBe(404);
    expect(show(cal.addWorkingHours(at('2026-03-02 07:00'), 1, { unitId: desk }))).toBe('2026-03-02 08:00');
  });
});
