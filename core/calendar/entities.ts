import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col, integerReference, reference } from '../db/columns.ts';

/** The province's calendar of one year (ADR 0008, migration core_0007_calendar). JSON columns are text. */
export const CalendarYear = defineEntity({
  name: 'CalendarYear',
  tableName: 'calendar_years',
  properties: {
    year: p.integer().primary().autoincrement(false),
    status: col.string(16),
    weekly: col.text(),
    hours: col.text(),
    cutoff: col.string(5),
    source: col.text().nullable(),
    revision: p.integer().default(1),
    updatedAt: col.timestamp(),
    updatedBy: col.id().nullable(),
    confirmedAt: col.timestamp().nullable(),
    confirmedBy: col.id().nullable(),
  },
});
export type CalendarYear = InferEntity<typeof CalendarYear>;

/** A holiday or make-up working day. */
export const CalendarDay = defineEntity({
  name: 'CalendarDay',
  tableName: 'calendar_days',
  properties: {
    date: col.string(10).primary(),
    year: integerReference('CalendarYear', 'year').index(),
    kind: col.string(8).$type<'holiday' | 'makeup'>(),
    name: col.string(200),
  },
});
export type CalendarDay = InferEntity<typeof CalendarDay>;

/** A unit's departures from the province's calendar. */
export const CalendarUnitOverride = defineEntity({
  name: 'CalendarUnitOverride',
  tableName: 'calendar_unit_overrides',
  properties: {
    unitId: reference('Unit', 'unit_id').primary(),
    weekly: col.text().nullable(),
    hours: col.text().nullable(),
    cutoff: col.string(5).nullable(),
    holidays: col.text(),
    makeUpDays: col.text(),
    updatedAt: col.timestamp(),
    updatedBy: col.id().nullable(),
  },
});
export type CalendarUnitOverride = InferEntity<typeof CalendarUnitOverride>;

/** One row, bumped by every edit; nodes poll it to refresh their cache. */
export const CalendarRevision = defineEntity({
  name: 'CalendarRevision',
  tableName: 'calendar_revision',
  properties: {
    id: p.integer().primary().autoincrement(false),
    revision: p.integer(),
  },
});
export type CalendarRevision = InferEntity<typeof CalendarRevision>;

export const calendarEntities = [CalendarYear, CalendarDay, CalendarUnitOverride, CalendarRevision];
