import type { Ports } from '../modules/ports.ts';
import { OutboxEntry } from './entities.ts';

/** How often each node's job runner deletes delivered outbox rows. */
export const OUTBOX_PURGE_EVERY_MS = 3_600_000;

/** Delivered rows are kept this long (for an operator's questions), then deleted. */
export const OUTBOX_RETENTION_MS = 7 * 86_400_000;

/**
 * Housekeeping of `outbox`: rows delivered more than the retention ago are deleted. Failed rows
 * stay until an operator deals with them; pending rows of a consumer no node has (a disabled
 * plugin) stay too. Idempotent, so every node may run it.
 */
export async function purgeOutbox(svc: Pick<Ports, 'db' | 'clock'>, retentionMs = OUTBOX_RETENTION_MS): Promise<number> {
  const before = new Date(svc.clock.now().getTime() - retentionMs);
  return svc.db.em().nativeDelete(OutboxEntry, { status: 'delivered', deliveredAt: { $lt: before } });
}
