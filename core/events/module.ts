import { defineModule } from '../modules/define-module.ts';
import { EventBus } from './bus.ts';
import { outbox } from './migrations/0012-outbox.ts';
import { registerOutbox } from './register.ts';
import { OutboxEntry } from './entities.ts';

/** Domain events (docs/events.md): the in-transaction bus, and the outbox for after-commit consumers. */
declare module '../modules/ports.ts' {
  interface Ports {
    /** Domain events: in-transaction subscribers and the outbox for after-commit consumers (docs/events.md). */
    events: EventBus;
  }
}

export const eventsModule = defineModule({
  id: 'events',
  description: 'Domain events and the outbox',
  requires: ['clock', 'db', 'log'],
  migrations: [outbox],
  entities: [OutboxEntry],
  provides: ['events'],
  create: (s) => ({ events: new EventBus(s.clock) }),
  jobs: (runner, s) => {
    registerOutbox(runner, s);
  },
});
