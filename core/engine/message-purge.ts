import type { EngineDeps } from './deps.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import { Message } from './entities.ts';

/** How often each node's job runner looks for messages to expire and delete. */
export const MESSAGE_PURGE_EVERY_MS = 3_600_000;

/**
 * Housekeeping of `messages` (core/engine/messages.ts): buffered messages past their time to
 * live are marked `expired`, and messages that are no longer waiting (correlated, expired) are
 * deleted once older than the retention (MOTCUA_MESSAGE_RETENTION_DAYS, 90 by default). A
 * `messageId` repeated after that is taken as a new message: the retention must outlast any
 * sender's retries. Audited with the counts when anything changed; idempotent, so every node may
 * run it.
 */
export async function purgeMessages(svc: EngineDeps): Promise<{ expired: number; deleted: number }> {
  const now = svc.clock.now();
  const before = new Date(now.getTime() - svc.config.messageRetentionMs);
  return svc.db.em().transactional(async (em) => {
    const expired = await em.nativeUpdate(Message, { status: 'buffered', expiresAt: { $lte: now } }, { status: 'expired' });
    const deleted = await em.nativeDelete(Message, { status: { $in: ['correlated', 'expired'] }, createdAt: { $lt: before } });
    const counts = { expired, deleted };
    if (counts.expired || counts.deleted) {
      await svc.audit.append(em, {
        actor: { id: null, name: 'system:job-runner' },
        action: 'message.purged',
        targetType: 'message',
        summary: { ...counts, publishedBefore: before.toISOString() },
      });
    }
    return counts;
  });
}

export function registerMessagePurge(runner: JobRunner, svc: EngineDeps): void {
  runner.every('message-purge', MESSAGE_PURGE_EVERY_MS, async () => {
    await purgeMessages(svc);
  });
}
