import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { acting } from '../http/acting.ts';
import { AppError } from '../errors.ts';
import { defineRoute } from '../http/route.ts';
import { IdParam, json, jsonBody } from '../http/schemas.ts';
import { CALENDAR_YEARS } from './model.ts';
import { LOCAL_OFFSET_MS } from './working-time.ts';
import {
  confirmCalendarYear,
  deleteUnitOverride,
  editCalendarYear,
  getOverride,
  getYear,
  importCalendarYear,
  proposeCalendarYear,
  saveUnitOverride,
} from './service.ts';
import { listYears } from './store.ts';
import { unitNotFound } from '../org/units-service.ts';
import { shippedYears } from './working-calendar.ts';
import type { Ports } from '../modules/ports.ts';

/**
 * The working-time calendar's admin API (docs/api.md). Everyone signed in reads; editing needs
 * `calendar.manage` province-wide for years, or reaching the unit for a unit's override. Every
 * change is audited in its transaction; after the commit the node's calendar reloads at once
 * and other nodes within their poll interval (ADR 0008).
 */

const Day = z.object({ date: z.string(), name: z.string() }).openapi('CalendarDay');
const Period = z.object({ start: z.string(), end: z.string() });
const YearView = z
  .object({
    year: z.number().int(),
    status: z.enum(['confirmed', 'proposed']),
    origin: z
      .enum(['stored', 'shipped', 'computed'])
      .describe(
        'stored: edited or imported here; shipped: as announced, shipped with the platform; computed: proposed by the lunar converter, not stored',
      ),
    weekly: z.array(z.number().int()),
    hours: z.array(Period),
    cutoff: z.string(),
    holidays: z.array(Day),
    makeUpDays: z.array(Day),
    source: z.string().nullable(),
  })
  .openapi('CalendarYear');

const YearParam = z.object({
  year: z.coerce
    .number()
    .int()
    .min(CALENDAR_YEARS.first)
    .max(CALENDAR_YEARS.last)
    .openapi({
      param: { name: 'year', in: 'path', required: true },
      type: 'integer',
      minimum: CALENDAR_YEARS.first,
      maximum: CALENDAR_YEARS.last,
      example: 2026,
    }),
});
const Override = z
  .object({
    weekly: z.array(z.number().int()).nullable(),
    hours: z.array(Period).nullable(),
    cutoff: z.string().nullable(),
    holidays: z.array(Day),
    makeUpDays: z.array(Day),
  })
  .openapi('CalendarUnitOverride');
const Document = z.record(z.string(), z.unknown()).openapi('CalendarYearDocument', {
  description: 'A calendar year (core/calendar/model.ts): year, status, weekly, hours, cutoff, holidays, makeUpDays, source',
});

const listRoute = defineRoute({
  method: 'get',
  path: '/api/calendar/years',
  operationId: 'listCalendarYears',
  tags: ['calendar'],
  permission: 'authenticated',
  summary: 'Years with a calendar table (stored or shipped)',
  responses: {
    200: json(
      z.array(
        z.object({
          year: z.number().int(),
          status: z.string(),
          origin: z.string(),
          holidays: z.number().int(),
          makeUpDays: z.number().int(),
        }),
      ),
      'Years',
    ),
  },
});
const getRoute = defineRoute({
  method: 'get',
  path: '/api/calendar/years/{year}',
  operationId: 'getCalendarYear',
  tags: ['calendar'],
  permission: 'authenticated',
  summary: "A year's holidays, make-up working days, working hours and cut-off",
  request: { params: YearParam },
  responses: { 200: json(YearView, 'The year') },
});
const importRoute = defineRoute({
  method: 'post',
  path: '/api/calendar/years',
  operationId: 'importCalendarYear',
  tags: ['calendar'],
  permission: 'calendar.manage',
  summary: 'Import a whole year (replaces its table)',
  request: jsonBody(Document),
  errors: ['auth.forbidden_scope', 'calendar.year_confirmed', 'conflict.stale', 'conflict.duplicate'],
  responses: { 200: json(YearView, 'Imported') },
});
const editRoute = defineRoute({
  method: 'patch',
  path: '/api/calendar/years/{year}',
  operationId: 'editCalendarYear',
  tags: ['calendar'],
  permission: 'calendar.manage',
  summary: 'Change holidays, make-up days, working hours, cut-off or weekly pattern of a year (its status stays)',
  request: { params: YearParam, ...jsonBody(Document) },
  errors: ['auth.forbidden_scope', 'calendar.year_mismatch', 'conflict.stale', 'conflict.duplicate'],
  responses: { 200: json(YearView, 'Changed') },
});
const proposeRoute = defineRoute({
  method: 'post',
  path: '/api/calendar/years/{year}/propose',
  operationId: 'proposeCalendarYear',
  tags: ['calendar'],
  permission: 'calendar.manage',
  summary: 'Store the lunar converter’s proposal for a year not yet confirmed',
  request: { params: YearParam },
  errors: ['auth.forbidden_scope', 'calendar.year_confirmed', 'conflict.stale', 'conflict.duplicate'],
  responses: { 200: json(YearView, 'Proposed') },
});
const confirmRoute = defineRoute({
  method: 'post',
  path: '/api/calendar/years/{year}/confirm',
  operationId: 'confirmCalendarYear',
  tags: ['calendar'],
  permission: 'calendar.manage',
  summary: 'Confirm a proposed year as it stands',
  request: { params: YearParam },
  errors: ['auth.forbidden_scope', 'calendar.year_confirmed', 'conflict.stale', 'conflict.duplicate'],
  responses: { 200: json(YearView, 'Confirmed') },
});
const getUnitRoute = defineRoute({
  method: 'get',
  path: '/api/calendar/units/{id}',
  operationId: 'getUnitCalendar',
  tags: ['calendar'],
  permission: 'authenticated',
  summary: "A unit's own calendar override and the unit whose override applies to it",
  request: { params: IdParam },
  responses: {
    200: json(z.object({ unitId: z.string(), override: Override.nullable(), appliesFrom: z.string().nullable() }), 'The override'),
  },
  errors: ['unit.not_found'],
});
const putUnitRoute = defineRoute({
  method: 'put',
  path: '/api/calendar/units/{id}',
  operationId: 'setUnitCalendar',
  tags: ['calendar'],
  permission: 'calendar.manage',
  summary: "Set a unit's working hours, weekly pattern, cut-off, extra days off or working days (applies to its subunits too)",
  request: { params: IdParam, ...jsonBody(z.record(z.string(), z.unknown()).openapi('CalendarUnitOverrideInput')) },
  errors: ['unit.not_found', 'auth.forbidden_scope', 'conflict.stale', 'conflict.duplicate'],
  responses: { 200: json(Override, 'Set') },
});
const deleteUnitRoute = defineRoute({
  method: 'delete',
  path: '/api/calendar/units/{id}',
  operationId: 'removeUnitCalendar',
  tags: ['calendar'],
  permission: 'calendar.manage',
  summary: "Remove a unit's override (it follows its ancestors or the province again)",
  request: { params: IdParam },
  errors: ['unit.not_found', 'request.not_found', 'auth.forbidden_scope', 'conflict.stale'],
  responses: { 204: { description: 'Removed' } },
});

const dueRoute = defineRoute({
  method: 'get',
  path: '/api/calendar/due',
  operationId: 'computeDueTime',
  tags: ['calendar'],
  permission: 'authenticated',
  summary: 'When a time limit received at an instant is due, in the working time of a unit (DOMAIN §5)',
  request: {
    query: z.object({
      from: z.string().datetime({ offset: true }).describe('Receipt instant, ISO 8601 with offset'),
      value: z.coerce.number().min(0).max(3650).optional(),
      unit: z.enum(['working_hours', 'working_days', 'calendar_days']).optional(),
      sameDay: z
        .enum(['true', 'false'])
        .optional()
        .describe('A same-day procedure: due 17:00 that day if received before the cut-off, else the next working day'),
      cutoff: z
        .string()
        .regex(/^\d{2}:\d{2}$/)
        .optional(),
      unitId: z.string().max(64).optional(),
    }),
  },
  responses: { 200: json(z.object({ receivedAt: z.string(), dueAt: z.string(), workingHours: z.number() }), 'The due time') },
  errors: ['calendar.out_of_range'],
});

function provinceWide(c: Context<AppEnv>): void {
  if (!c.var.authz.isGlobal('calendar.manage'))
    throw new AppError('auth.forbidden_scope', 'Editing the province calendar needs "calendar.manage" province-wide');
}

export function registerCalendarRoutes(app: OpenAPIHono<AppEnv>, ports: Pick<Ports, 'audit' | 'calendar' | 'clock' | 'db' | 'log'>): void {
  app.openapi(listRoute, async (c) => {
    const stored = await listYears(ports.db.em());
    const out = stored.map((y) => ({ ...y, origin: 'stored' }));
    for (const [year, y] of shippedYears) {
      if (!out.some((s) => s.year === year))
        out.push({ year, status: y.status, origin: 'shipped', holidays: y.holidays.length, makeUpDays: y.makeUpDays.length });
    }
    return c.json(
      out.sort((a, b) => a.year - b.year),
      200,
    );
  });

  app.openapi(getRoute, async (c) => c.json(await getYear(ports.db.em(), c.req.valid('param').year), 200));

  app.openapi(importRoute, async (c) => {
    provinceWide(c);
    const svc = ports;
    const doc = await importCalendarYear(svc, acting(c), c.req.valid('json'));
    return c.json(await getYear(svc.db.em(), doc.year), 200);
  });

  app.openapi(editRoute, async (c) => {
    provinceWide(c);
    const svc = ports;
    const { year } = c.req.valid('param');
    await editCalendarYear(svc, acting(c), year, c.req.valid('json'));
    return c.json(await getYear(svc.db.em(), year), 200);
  });

  app.openapi(proposeRoute, async (c) => {
    provinceWide(c);
    const svc = ports;
    const { year } = c.req.valid('param');
    await proposeCalendarYear(svc, acting(c), year);
    return c.json(await getYear(svc.db.em(), year), 200);
  });

  app.openapi(confirmRoute, async (c) => {
    provinceWide(c);
    const svc = ports;
    const { year } = c.req.valid('param');
    await confirmCalendarYear(svc, acting(c), year);
    return c.json(await getYear(svc.db.em(), year), 200);
  });

  app.openapi(dueRoute, async (c) => {
    const q = c.req.valid('query');
    const cal = ports.calendar;
    const ctx = { unitId: q.unitId ?? null };
    const from = new Date(q.from);
    const year = new Date(from.getTime() + LOCAL_OFFSET_MS).getUTCFullYear();
    if (year < CALENDAR_YEARS.first || year > CALENDAR_YEARS.last) {
      throw new AppError(
        'calendar.out_of_range',
        `${q.from} is outside the years the calendar covers (${CALENDAR_YEARS.first}–${CALENDAR_YEARS.last})`,
        { first: CALENDAR_YEARS.first, last: CALENDAR_YEARS.last },
      );
    }
    let dueAt: Date;
    if (q.sameDay === 'true') dueAt = cal.dueAt(from, { sameDay: true, ...(q.cutoff && { cutoff: q.cutoff }) }, ctx);
    else if (q.value !== undefined && q.unit) dueAt = cal.dueAt(from, { value: q.value, unit: q.unit }, ctx);
    else throw new AppError('request.invalid', 'Give sameDay=true, or value and unit');
    const receivedAt = cal.dueAt(from, { value: 0, unit: 'working_hours' }, ctx);
    return c.json(
      {
        receivedAt: receivedAt.toISOString(),
        dueAt: dueAt.toISOString(),
        workingHours: cal.workingTimeBetween(receivedAt, dueAt, ctx) / 3_600_000,
      },
      200,
    );
  });

  app.openapi(getUnitRoute, async (c) => {
    const svc = ports;
    const { id } = c.req.valid('param');
    await c.var.authz.assertVisible('unit.read', id, () => unitNotFound(id));
    const override = await getOverride(svc.db.em(), id);
    const owner = 'overrideOwner' in svc.calendar ? (svc.calendar as { overrideOwner(id: string): string | null }).overrideOwner(id) : null;
    return c.json({ unitId: id, override, appliesFrom: owner }, 200);
  });

  app.openapi(putUnitRoute, async (c) => {
    const svc = ports;
    const { id } = c.req.valid('param');
    await c.var.authz.assertVisible('unit.read', id, () => unitNotFound(id));
    await c.var.authz.assert('calendar.manage', id);
    const saved = await saveUnitOverride(svc, acting(c), id, c.req.valid('json'));
    return c.json(saved, 200);
  });

  app.openapi(deleteUnitRoute, async (c) => {
    const svc = ports;
    const { id } = c.req.valid('param');
    await c.var.authz.assertVisible('unit.read', id, () => unitNotFound(id));
    await c.var.authz.assert('calendar.manage', id);
    await deleteUnitOverride(svc, acting(c), id);
    return c.body(null, 204);
  });
}
