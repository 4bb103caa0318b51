import { defineMigration, timestamp } from '../../db/migration.ts';

/**
 * The working-time calendar (core/calendar, ADR 0008).
 * - `calendar_years`: the province's table per year: status (`confirmed`, or `proposed` by the
 *   lunar converter until an admin confirms it), weekly pattern and working periods (JSON),
 *   same-day cut-off, source of the dates, and a revision bumped by every edit.
 * - `calendar_days`: holidays and make-up working days of a year (`kind` holiday | makeup).
 * - `calendar_unit_overrides`: a unit's departures (weekly pattern, periods, cut-off, extra
 *   days off and working days as JSON); the nearest ancestor with an override wins.
 * - `calendar_revision`: one row, bumped by every edit; app nodes compare it to refresh their cache.
 */
export const calendar = defineMigration('core_0007_calendar', (schema) =>
  schema
    .createTable('calendar_years', (t) => {
      t.integer('year').primary();
      t.string('status', 16).notNullable();
      t.text('weekly').notNullable();
      t.text('hours').notNullable();
      t.string('cutoff', 5).notNullable();
      t.text('source').nullable();
      t.integer('revision').notNullable().defaultTo(1);
      timestamp(t, 'updated_at').notNullable();
      t.string('updated_by', 36).nullable();
      timestamp(t, 'confirmed_at').nullable();
      t.string('confirmed_by', 36).nullable();
    })
    .createTable('calendar_days', (t) => {
      t.string('date', 10).primary();
      t.integer('year').notNullable().references('calendar_years.year').index();
      t.string('kind', 8).notNullable();
      t.string('name', 200).notNullable();
    })
    .createTable('calendar_unit_overrides', (t) => {
      t.string('unit_id', 36).primary().references('units.id');
      t.text('weekly').nullable();
      t.text('hours').nullable();
      t.string('cutoff', 5).nullable();
      t.text('holidays').notNullable();
      t.text('make_up_days').notNullable();
      timestamp(t, 'updated_at').notNullable();
      t.string('updated_by', 36).nullable();
    })
    .createTable('calendar_revision', (t) => {
      t.integer('id').primary();
      t.integer('revision').notNullable();
    }),
);
