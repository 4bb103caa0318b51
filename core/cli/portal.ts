import type { Command } from 'commander';
import { AppError } from '../errors.ts';
import { cliActing } from '../org/actor.ts';
import { listOutbox, outboxStatus, retryAllFailed, retryOutboxRow } from '../dossiers/portal/operator.ts';
import { withPlatform } from './context.ts';
import type { Act } from './act.ts';
import { out, table } from './output.ts';

/** A duration in seconds as an operator reads it: 45s, 12m 3s, 5h 2m, 3d 4h. */
export function age(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

/**
 * `motcua portal status` and `motcua portal retry <id>|--all-failed`: the national-portal sync
 * outbox for its operators at the server (docs/portal-sync.md, "Operating it"); retries are
 * audited as cli:<os user>.
 */
export function registerPortalCommands(program: Command, act: Act): void {
  const portal = program.command('portal').description('the national-portal sync outbox: its state, and sending rows again');

  portal
    .command('status')
    .description(
      'rows per state (pending, of which retrying; sent; failed: the dead letter), the age of the oldest pending row, and the failed rows',
    )
    .action(
      act(async () => {
        await withPlatform(async (p) => {
          const s = await outboxStatus(p.services);
          out(`pending: ${s.pending} (retrying: ${s.retrying})`);
          out(`sent: ${s.sent}`);
          out(`failed: ${s.failed}`);
          out(`oldest pending: ${s.oldestPendingAt ? `${age(s.oldestPendingAgeSeconds!)} (${s.oldestPendingAt})` : '—'}`);
          if (!s.failed) return;
          const failed = await listOutbox(p.services, { state: 'failed', limit: 50, offset: 0 });
          out();
          for (const line of table(
            ['id', 'key', 'attempts', 'last error'],
            failed.items.map((r) => [r.id, r.idempotencyKey, String(r.attempts), (r.lastError ?? '').replace(/\s+/g, ' ').slice(0, 120)]),
          ))
            out(line);
          if (failed.total > failed.items.length) out(`… and ${failed.total - failed.items.length} more`);
        });
      }),
    );

  portal
    .command('retry [id]')
    .description('send a row again now (its id, from `portal status` or GET /api/portal/outbox), or every failed row with --all-failed')
    .option('--all-failed', 'every failed (dead) row')
    .action(
      act(async (id: string | undefined, o: { allFailed?: boolean }) => {
        if (!id === !o.allFailed) throw new AppError('request.invalid', 'Give either a row id or --all-failed');
        await withPlatform(async (p) => {
          if (o.allFailed) {
            const n = await retryAllFailed(p.services, cliActing());
            out(`${n} failed row${n === 1 ? '' : 's'} pending again`);
            return;
          }
          const row = await retryOutboxRow(p.services, cliActing(), id!);
          out(`${row.idempotencyKey} pending, due now`);
        });
      }),
    );
}
