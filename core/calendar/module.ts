import { defineModule } from '../modules/define-module.ts';
import { calendar } from './migrations/0007-calendar.ts';
import { registerCalendarRoutes } from './routes.ts';
import { WorkingCalendar } from './working-calendar.ts';
import { calendarEntities } from './entities.ts';

/** The working-time calendar (ADR 0008): holidays, make-up days, per-unit hours, deadline arithmetic. */
declare module '../modules/ports.ts' {
  interface Ports {
    /** Counts durations and deadlines in working time (ADR 0008). */
    calendar: WorkingCalendar;
  }
}

export const calendarModule = defineModule({
  id: 'calendar',
  description: 'Working-time calendar and deadlines',
  requires: ['db', 'log', 'clock', 'audit'],
  migrations: [calendar],
  entities: calendarEntities,
  permissions: [
    {
      name: 'calendar.manage',
      description: 'Edit, import, propose and confirm the working-time calendar and per-unit working hours',
      roles: ['admin'],
    },
  ],
  provides: ['calendar'],
  create: async (s) => ({ calendar: await WorkingCalendar.load(s.db, s.log) }),
  routes: registerCalendarRoutes,
  stop: (s) => s.calendar.stop(),
});
