import { OptimisticLockError, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { EVENT_NAME, type DomainEvent, type EventType } from './catalogue.ts';
import { enqueue } from './outbox.ts';

/** What an in-transaction subscriber gets besides the event: the publishing transaction. */
export interface InTransaction {
  /** The publishing command's entity manager: write only through it (on SQLite a fresh one waits forever). */
  em: EntityManager;
}

/** What an after-commit (outbox) consumer gets besides the event. */
export interface Delivery {
  /** Stable across retries of this event to this consumer: pass it on to the system you call. */
  idempotencyKey: string;
  /** 1 on the first delivery, 2 on the first retry, … */
  attempt: number;
  /** The consumer's name (`<owner>:<name>`), as in `outbox.consumer`. */
  consumer: string;
}

export type EventHandler<K extends EventType = EventType> = (event: DomainEvent<K>, tx: InTransaction) => void | Promise<void>;
export type OutboxHandler<K extends EventType = EventType> = (event: DomainEvent<K>, delivery: Delivery) => void | Promise<void>;

export interface SubscribeOptions {
  /** Who subscribes: `core` (the default) or a plugin id; named in errors and logs. */
  owner?: string;
}

export interface AfterCommitOptions extends SubscribeOptions {
  afterCommit: true;
  /** The consumer's name within its owner (default: the event type); rows of `outbox` keep it, so never rename it. */
  name?: string;
}

interface Subscriber {
  owner: string;
  handler: EventHandler;
}

export interface Consumer {
  /** `<owner>:<name>`, unique. */
  name: string;
  type: string;
  handler: OutboxHandler;
}

/** Most nested publications (a subscriber publishing, whose subscriber publishes …) in one command. */
const MAX_DEPTH = 8;
const depth = new WeakMap<EntityManager, number>();

/**
 * Domain events (docs/events.md, ADR 0016). `publish` runs inside the command's transaction:
 * its in-transaction subscribers run there, in the order they subscribed (core at boot, then
 * plugins in dependency order), with its entity manager, so their writes commit or roll back
 * with the change; a subscriber that throws fails the command. After-commit consumers get a row
 * of `outbox` in the same transaction, delivered by the job runner after the commit, at least
 * once (outbox-delivery.ts). With nobody listening to a type, publishing it costs one map lookup.
 */
export class EventBus {
  private readonly subscribers = new Map<string, Subscriber[]>();
  private readonly consumersByType = new Map<string, Consumer[]>();
  private readonly consumersByName = new Map<string, Consumer>();

  constructor(private readonly clock: Clock) {}

  subscribe<K extends EventType>(type: K, handler: EventHandler<K>, options?: SubscribeOptions & { afterCommit?: false }): void;
  subscribe<K extends EventType>(type: K, handler: OutboxHandler<K>, options: AfterCommitOptions): void;
  subscribe(
    type: string,
    handler: EventHandler | OutboxHandler,
    options: SubscribeOptions & { afterCommit?: boolean; name?: string } = {},
  ): void {
    if (!EVENT_NAME.test(type))
      throw new AppError('event.invalid', `"${type}" is not an event name (lower-case dotted, e.g. task.completed)`);
    const owner = options.owner ?? 'core';
    if (options.afterCommit) {
      const name = `${owner}:${options.name ?? type}`;
      if (this.consumersByName.has(name))
        throw new AppError('event.invalid', `Outbox consumer "${name}" is registered twice: give one a different name`);
      const consumer: Consumer = { name, type, handler: handler as OutboxHandler };
      this.consumersByName.set(name, consumer);
      this.consumersByType.set(type, [...(this.consumersByType.get(type) ?? []), consumer]);
      return;
    }
    this.subscribers.set(type, [...(this.subscribers.get(type) ?? []), { owner, handler: handler as EventHandler }]);
  }

  /** Does anyone listen to this type? Lets a publisher skip work that only the event needs. */
  has(type: EventType): boolean {
    return this.subscribers.has(type) || this.consumersByType.has(type);
  }

  /** The after-commit consumer of that name, if this node has it. */
  consumer(name: string): Consumer | undefined {
    return this.consumersByName.get(name);
  }

  /** Names of the after-commit consumers this node delivers to. */
  consumerNames(): string[] {
    return [...this.consumersByName.keys()];
  }

  /**
   * Publishes one event inside the transaction of `em`: in-transaction subscribers run now, in
   * order; then a row of `outbox` is written per after-commit consumer. A subscriber's
   * AppError or a conflict with a concurrent command (optimistic lock, unique key) fails the
   * command as it is; any other error as `event.subscriber_failed`.
   */
  async publish<K extends EventType>(
    em: EntityManager,
    type: K,
    payload: DomainEvent<K>['payload'],
    acting?: Acting | null,
  ): Promise<void> {
    const subscribers = this.subscribers.get(type);
    const consumers = this.consumersByType.get(type);
    if (!subscribers && !consumers) return;
    const now = this.clock.now();
    const event: DomainEvent<K> = {
      id: crypto.randomUUID(),
      type,
      occurredAt: now.toISOString(),
      actor: acting?.actor ?? null,
      requestId: acting?.requestId ?? null,
      payload,
    };
    if (subscribers) {
      const d = depth.get(em) ?? 0;
      if (d >= MAX_DEPTH) {
        throw new AppError(
          'event.subscriber_failed',
          `Events published by subscribers went more than ${MAX_DEPTH} levels deep (at ${type}): a subscriber publishes what it subscribes to?`,
          { event: type },
        );
      }
      depth.set(em, d + 1);
      try {
        for (const s of subscribers) {
          try {
            await s.handler(event as DomainEvent, { em });
          } catch (err) {
            // A conflict with a concurrent command (its flush found the row changed, or the key
            // taken) is the command's conflict, answered 409 like any other, not a subscriber bug.
            if (err instanceof AppError || err instanceof OptimisticLockError || err instanceof UniqueConstraintViolationException)
              throw err;
            throw new AppError(
              'event.subscriber_failed',
              `The ${s.owner} subscriber of ${type} failed: ${(err as Error)?.message ?? String(err)}`,
              { event: type, subscriber: s.owner },
            );
          }
        }
      } finally {
        depth.set(em, d);
      }
    }
    for (const c of consumers ?? []) await enqueue(em, c.name, event as DomainEvent, now);
  }
}
