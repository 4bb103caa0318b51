import { definePlugin } from '../../core/plugin-api.ts';
import { QueueConfig } from './config.ts';
import { documents } from './documents.ts';
import { issueTicketTemplate } from './element-templates.ts';
import { QueueCounter, QueueTicket } from './entities.ts';
import { queueErrors } from './errors.ts';
import { queueEvents } from './events.ts';
import { queueExtensionPoints } from './contract.ts';
import { queueHandlers } from './handlers.ts';
import { queueMigrations } from './migrations.ts';
import { queuePermissions } from './permissions.ts';
import { queueRoutes } from './routes.ts';

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
  elementTemplates: [issueTicketTemplate],
  documents,
  permissions: queuePermissions,
  errors: queueErrors,
  ui: {
    elements: ['queue-board'],
    entry: 'ui/queue-board.ts',
    navigation: [{ label: { vi: 'Hàng đợi', en: 'Queue' }, path: '/queue', permission: 'queue.read' }],
  },
  extensionPoints: queueExtensionPoints,
  events: queueEvents,
  setup(ctx) {
    const messages = ctx.contributions('queue.display-message').length;
    ctx.services.log.info({ plugin: ctx.id, prefix: ctx.config.ticketPrefix, resetDaily: ctx.config.resetDaily, messages }, 'queue ready');
  },
});
