import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import type {
  PluginContext,
  PluginEventHandler,
  PluginEvents,
  PluginEventSubscriptions,
  PluginOutboxHandler,
  PluginSubscription,
} from '../plugin-host/define-plugin.ts';
import { unscoped, type PluginEntityManager } from '../plugin-host/scoped-em.ts';
import type { EventBus } from './bus.ts';

export type {
  PluginEventHandler,
  PluginOutboxHandler,
  PluginSubscription,
  PluginEventSubscriptions,
  PluginEvents,
} from '../plugin-host/define-plugin.ts';

/** The port of one plugin onto the bus: its subscriptions are owned by it, it publishes only under its id. */
export function pluginEvents(bus: EventBus, ctx: () => PluginContext, scope: (em: EntityManager) => PluginEntityManager): PluginEvents {
  const id = ctx().id;
  return {
    subscribe(type: string, handler: PluginEventHandler | PluginOutboxHandler, options?: { afterCommit: true; name?: string }) {
      if (options?.afterCommit) {
        const h = handler as PluginOutboxHandler;
        bus.subscribe(type, (event, delivery) => h(event, { ...delivery, ctx: ctx() }), {
          owner: id,
          afterCommit: true,
          name: options.name,
        });
      } else {
        const h = handler as PluginEventHandler;
        bus.subscribe(type, (event, tx) => h(event, { em: scope(tx.em), ctx: ctx() }), { owner: id });
      }
    },
    async publish(em, type, payload, acting) {
      if (!type.startsWith(`${id}.`))
        throw new AppError('event.invalid', `Plugin "${id}" may publish only its own events ("${id}.…"), not "${type}"`);
      await bus.publish(unscoped(em), type, payload, acting);
    },
  };
}

/** At boot, before the plugin's `setup`: the subscriptions its definition declares, in their order. */
export function subscribeDeclared(events: PluginEvents, declared: PluginEventSubscriptions | undefined): void {
  for (const [type, sub] of Object.entries(declared ?? {}) as [string, PluginSubscription | undefined][]) {
    if (!sub) continue;
    if (typeof sub === 'function') events.subscribe(type, sub);
    else events.subscribe(type, sub.handler, { afterCommit: true, name: sub.name });
  }
}
