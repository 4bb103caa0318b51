import type { Ports } from '../modules/ports.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import { OutboxDelivery } from './outbox-delivery.ts';
import { OUTBOX_PURGE_EVERY_MS, purgeOutbox } from './outbox-purge.ts';

/**
 * The job runner's share of domain events: after every polling pass it delivers the due
 * `outbox` rows (every pass, so an after-commit consumer runs within about MOTCUA_JOB_POLL_MS
 * of the commit), and hourly deletes the rows delivered long ago.
 */
export function registerOutbox(runner: JobRunner, svc: Pick<Ports, 'clock' | 'db' | 'events' | 'log'>): OutboxDelivery {
  const delivery = new OutboxDelivery({ db: svc.db, clock: svc.clock, log: svc.log, events: svc.events });
  runner.every('outbox-delivery', 0, async () => {
    await delivery.deliverDue();
  });
  runner.every('outbox-purge', OUTBOX_PURGE_EVERY_MS, async () => {
    await purgeOutbox(svc);
  });
  return delivery;
}
