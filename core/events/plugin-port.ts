import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import type { PluginContext } from '../plugin-host/define-plugin.ts';
import { unscoped, type PluginEntityManager } from '../plugin-host/scoped-em.ts';
import type { Delivery, EventBus } from './bus.ts';
import type { DomainEvent, EventType } from './catalogue.ts';

/** An in-transaction handler of a plugin: the publishing transaction's `em` (scoped to the plugin's tables), and the plugin's context. */
export type PluginEventHandler<K extends EventType = EventType> = (
  event: DomainEvent<K>,
  tx: { em: PluginEntityManager; ctx: PluginContext },
) => void | Promise<void>;

/** An after-commit (outbox) consumer of a plugin: called after the commit, at least once. */
export type PluginOutboxHandler<K extends EventType = EventType> = (
  event: DomainEvent<K>,
  delivery: Delivery & { ctx: PluginContext },
) => void | Promise<void>;

export type PluginSubscription<K extends EventType = EventType> =
  PluginEventHandler<K> | { afterCommit: true; name?: string; handler: PluginOutboxHandler<K> };

/**
 * `events` of a PluginDefinition: a handler per event type (core events typed), or
 * `{ afterCommit: true, handler }` for an outbox consumer.
 */
export type PluginEventSubscriptions = { [K in keyof import('./catalogue.ts').CoreEvents]?: PluginSubscription<K> } & {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [type: string]: PluginSubscription<any> | undefined;
};

/** `ctx.events`: what a plugin may do with domain events. */
export interface PluginEvents {
  subscribe<K extends EventType>(type: K, handler: PluginEventHandler<K>): void;
  subscribe<K extends EventType>(type: K, handler: PluginOutboxHandler<K>, options: { afterCommit: true; name?: string }): void;
  /** Publishes one of the plugin's own events (`<id>.<entity>.<past-verb>`) inside the transaction of `em`. */
  publish(em: PluginEntityManager, type: string, payload: Record<string, unknown>, acting?: Acting | null): Promise<void>;
}

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
