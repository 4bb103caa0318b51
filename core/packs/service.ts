import type { Ports } from '../modules/ports.ts';
import type { Acting } from '../org/actor.ts';
import { Unit } from '../org/entities.ts';
import { exportFiles } from './exporter.ts';
import { composeManifest, UNSIGNED_KEY_ID, zipPack } from './pack.ts';
import type { PackManifest } from './manifest.ts';
import { revokeKey, trustKey } from './store.ts';

// Application services of the pack routes (core/packs/routes.ts): each owns its transaction,
// the routes check the province-wide grant, parse the request and shape the answer.

export interface ExportRequest {
  id: string;
  name: string;
  version: string;
  sequence?: number;
  publisher?: string;
  province?: string;
  /** Procedure codes; all published ones when absent. */
  codes?: string[];
}

/** An unsigned pack of the catalogue; the publisher defaults to the root unit's name and code. */
export async function exportPack(
  svc: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'db' | 'engine'>,
  req: ExportRequest,
): Promise<{ manifest: PackManifest; zip: Buffer }> {
  const em = svc.db.em();
  const { files } = await exportFiles(svc, em, req.codes);
  const root = await em.findOne(Unit, { parentId: null }, { orderBy: { createdAt: 'asc' } });
  const now = svc.clock.now();
  const manifest = composeManifest(
    {
      id: req.id,
      name: req.name,
      version: req.version,
      sequence: req.sequence ?? Math.floor(now.getTime() / 1000),
      publisher: { name: req.publisher ?? root?.name ?? 'motcua', province: req.province ?? root?.code ?? 'XX' },
    },
    files,
    UNSIGNED_KEY_ID,
    now,
  );
  return { manifest, zip: await zipPack(manifest, files, null) };
}

/** Trusts a publisher's key, audited in the same transaction. */
export function addTrustedKey(
  svc: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'db' | 'engine'>,
  acting: Acting,
  input: Parameters<typeof trustKey>[3],
) {
  return svc.db.em().transactional((em) => trustKey(svc, em, acting, input));
}

/** Revokes a trusted key, audited in the same transaction. */
export function revokeTrustedKey(svc: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'db' | 'engine'>, acting: Acting, keyId: string) {
  return svc.db.em().transactional((em) => revokeKey(svc, em, acting, keyId));
}
