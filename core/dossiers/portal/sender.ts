import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { PortalPayload } from './payload.ts';

/** What a sender is told besides the payload. */
export interface PortalDeliveryInfo {
  /** `<dossier code>:<sequence>`, the same on every attempt: the portal (or you) must ignore a repeat. */
  idempotencyKey: string;
  /** 1 on the first try, 2 on the first retry, … */
  attempt: number;
}

/**
 * Sends one dossier change to the national portal (docs/portal-sync.md). Called after the
 * commit, outside any transaction, at least once per change and in order per dossier.
 * Resolve when the portal has it; throw to have it retried with backoff.
 */
export interface PortalSender {
  send(payload: PortalPayload, info: PortalDeliveryInfo): Promise<void>;
}

/**
 * The contribution a plugin makes to core's extension point `portal.sender`:
 * `contributions: { 'portal.sender': [{ name: 'vnptportal', create: (ctx) => sender }] }`.
 * `MOTCUA_PORTAL_SENDER=<name>` selects it; `create` gets the plugin's context once, at the
 * first delivery.
 */
export const portalSenderContribution = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'a lower-case name, e.g. "vnptportal"'),
  create: z.custom<(ctx: unknown) => PortalSender | Promise<PortalSender>>((v) => typeof v === 'function', 'a function (ctx) => sender'),
});
export type PortalSenderContribution = z.infer<typeof portalSenderContribution>;

/** Built-in sender names; a plugin may not take them. */
export const BUILT_IN_SENDERS = ['none', 'file'] as const;

/**
 * Writes each payload as a JSON file into a folder: `<code>__<sequence>.json` (characters a
 * file name cannot hold replaced by `_`), written under a temporary name and renamed, so a
 * reader never sees half a file; a repeat overwrites the same file (idempotent). For tests,
 * and for provinces that hand files over to the portal's own importer.
 */
export class FilePortalSender implements PortalSender {
  constructor(readonly dir: string) {}

  async send(payload: PortalPayload, _info: PortalDeliveryInfo): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const name = `${payload.code.replace(/[^A-Za-z0-9.-]/g, '_')}__${String(payload.sequence).padStart(4, '0')}.json`;
    const file = join(this.dir, name);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(payload, null, 2)}\n`, 'utf8');
    await rename(tmp, file);
  }
}

/** A sender name the configuration chose that neither core nor an enabled plugin offers. */
export function unknownSender(name: string, offered: string[]): AppError {
  return new AppError(
    'portal.sender_unknown',
    `MOTCUA_PORTAL_SENDER is "${name}", which neither core (${BUILT_IN_SENDERS.join(', ')}) nor an enabled plugin offers${
      offered.length ? ` (plugins offer: ${offered.join(', ')})` : ''
    }`,
    { sender: name, offered: [...BUILT_IN_SENDERS, ...offered] },
  );
}
