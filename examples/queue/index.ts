import { definePlugin } from '../../core/plugin-api.ts';
import { QueueConfig } from './config.ts';
import { documents } from './documents.ts';
import { QueueCounter, QueueTicket } from './entities.ts';
import { queueErrors } from './errors.ts';
import { queueEvents } from './events.ts';
import { queueExtensionPoints } from './contract.ts';
import { queueHandlers } from './handlers.ts';
import { queueMigrations } from './migrations.ts';
import { queuePermissions } from './permissions.ts';
import { queueRoutes } from './routes.ts';
import { expireStaleTickets, queueReads } from './tickets.ts';

/**
 * Queue tickets at a one-stop desk: citizens take a number at a unit's reception, clerks call
 * the next number to their desk. Enable with MOTCUA_PLUGINS=queue.
 */
export default definePlugin({
  id: 'queue',
  version: '1.0.0',
  description: 'Số thứ tự tại bộ phận một cửa: cấp số, gọi số vào quầy, màn hình chờ',
  requires: { core: '>=0.1.0 <1.0.0' },
  config: QueueConfig,
  entities: [QueueTicket, QueueCounter],
  migrations: queueMigrations,
  routes: queueRoutes,
  handlers: queueHandlers,
  documents,
  permissions: queuePermissions,
  errors: queueErrors,
  ui: {
    elements: ['queue-board'],
    // Served at /plugins/queue/ui/…: only files under this folder, only browser-ready types.
    assets: new URL('./ui/', import.meta.url),
    entry: 'queue-board.js',
    navigation: [{ label: { vi: 'Hàng đợi', en: 'Queue' }, path: '/queue', permission: 'queue.read' }],
    routes: [{ path: '/queue', element: 'queue-board' }],
  },
  extensionPoints: queueExtensionPoints,
  events: queueEvents,
  // A read API other plugins may `uses: ['queue.tickets']` (e.g. reporting: waiting times).
  provides: { 'queue.tickets': queueReads },
  setup(ctx) {
    // A recurring chore: yesterday's tickets still waiting are closed as no-shows, hourly.
    ctx.jobs.every('queue.expire-stale', 3_600_000, () => expireStaleTickets(ctx));
    const messages = ctx.contributions('queue.display-message').length;
    ctx.log.info({ prefix: ctx.config.ticketPrefix, resetDaily: ctx.config.resetDaily, messages }, 'queue ready');
  },
});
