import { defineModule } from '../modules/define-module.ts';
import { EventBus } from './bus.ts';
import { outbox } from './migrations/0012-outbox.ts';
import { registerOutbox } from './register.ts';
import { OutboxEntry } from './entities.ts';

/** Domain events (docs/events.md): the in-transaction bus, and the outbox for after-commit consumers. */
export const eventsModule = defineModule({
  id: 'events',
  description: 'Domain events and the outbox',
  requires: ['jobs'],
  migrations: [outbox],
  entities: [OutboxEntry],
  provides: ['events'],
  create: (s) => ({ events: new EventBus(s.clock) }),
  jobs: (runner, s) => {
    registerOutbox(runner, s);
  },
});
