import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Ports } from '../modules/ports.ts';
import { isDemoMode } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { importPack, type ImportReport } from './importer.ts';
import { parseJsonFile, placeholderMapping } from './manifest.ts';
import { buildPack } from './pack.ts';
import { DEMO_KEY_ID, keyIdOf, loadPrivateKey, loadPublicKey } from './signing.ts';
import { readPackSource } from './source.ts';
import { installedPack } from './store.ts';

const procedures = fileURLToPath(new URL('../../procedures/', import.meta.url));
const system: Acting = { actor: { id: null, name: 'system:demo' }, requestId: null };

/**
 * Demo mode only: builds the base pack from procedures/base, signs it with the demo key and
 * imports it through the normal verify-and-import path with procedures/demo-mapping.json,
 * trusting the demo key for this import only. Does nothing when that sequence is installed.
 */
export async function installDemoPack(
  svc: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'config' | 'db' | 'dossierFormTemplates' | 'engine' | 'log' | 'plugins'>,
  dir = procedures,
): Promise<ImportReport | { status: 'already_installed' }> {
  const { source, files } = readPackSource(`${dir}base`);
  const installed = await installedPack(svc.db.em(), source.id);
  if (installed && installed.sequence >= source.sequence) return { status: 'already_installed' };
  const key = loadPrivateKey(readFileSync(`${dir}demo-key/demo.key`, 'utf8'));
  if (keyIdOf(key) !== DEMO_KEY_ID)
    throw new AppError('pack.key_invalid', `procedures/demo-key/demo.key is not the demo key ${DEMO_KEY_ID}`);
  const mapping = parseJsonFile(
    placeholderMapping,
    readFileSync(`${dir}demo-mapping.json`),
    'procedures/demo-mapping.json',
    'pack.mapping_invalid',
  );
  const { zip } = await buildPack(source, files, key, svc.clock.now());
  return importPack(svc, system, { zip, mapping, alsoTrust: [loadPublicKey(readFileSync(`${dir}demo-key/demo.pub`, 'utf8'))] });
}

/**
 * The start-up hook of `serve --demo` (a new or existing embedded demo database): installs the
 * base pack when needed and returns a line for the operator. A failure is reported, not fatal:
 * the demo still starts without the shipped procedures.
 */
export async function demoPackOnStart(
  svc: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'config' | 'db' | 'dossierFormTemplates' | 'engine' | 'log' | 'plugins'>,
): Promise<string | null> {
  if (!isDemoMode(svc.config)) return null;
  try {
    const started = Date.now();
    const r = await installDemoPack(svc);
    if (r.status !== 'installed') return null;
    return `demo procedures: pack ${r.pack.id} ${r.pack.version} installed (${r.counts.new} new, ${r.counts.updated} updated, ${r.counts.unchanged} unchanged) in ${Date.now() - started} ms`;
  } catch (e) {
    svc.log.error({ err: e }, 'demo pack not installed');
    return `demo procedures NOT installed: ${e instanceof AppError ? `${e.code}: ` : ''}${(e as Error).message}`;
  }
}
