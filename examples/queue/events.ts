import type { PluginContext, PluginEventHandler } from '../../core/plugin-api.ts';
import type { QueueConfig } from './config.ts';
import { QueueTicket } from './entities.ts';
import { finishTicket } from './tickets.ts';

/**
 * `task.completed`, in the engine's transaction: when a step of a dossier is completed at the
 * unit where the citizen's ticket for that dossier is being served (`called`), the ticket is
 * done — the clerk need not close it by hand. It commits with the step, or rolls back with it.
 */
export const closeServedTicket: PluginEventHandler<'task.completed'> = async (event, { em, ctx }) => {
  const { businessKey, unitId } = event.payload;
  if (!businessKey || !unitId) return;
  const ticket = await em.findOne(
    QueueTicket,
    { dossierId: businessKey, unitId, status: 'called' },
    { orderBy: { calledAt: 'desc' }, disableIdentityMap: true },
  );
  if (!ticket) return;
  const who = { actor: event.actor ?? { id: null, name: 'system:queue' }, requestId: event.requestId };
  await finishTicket(ctx as PluginContext<QueueConfig>, em, who, ticket, 'done');
};

export const queueEvents = { 'task.completed': closeServedTicket };
