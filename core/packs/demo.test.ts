import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestPlatform } from '../../tests/support/platform.ts';
import { cliActing } from '../org/actor.ts';
import { installDemoPack } from './demo.ts';
import { listInstalled, listTrustedKeys, trustKey } from './store.ts';
import { DEMO_KEY_ID } from './signing.ts';
import { readFileSync } from 'node:fs';

const ctx = useTestPlatform();
const base = fileURLToPath(new URL('../../procedures/base/procedures/', import.meta.url));

describe('demo mode installs the shipped base pack', () => {
  it('through verify-and-import with the demo mapping, once, without trusting the demo key for good', async () => {
    const svc = ctx.t.platform.services;
    const started = performance.now();
    const report = await installDemoPack(svc);
    const ms = performance.now() - started;
    expect(report.status).toBe('installed');
    const files = readdirSync(base).filter((f) => f.endsWith('.json'));
    const shipped = files.length;
    // <code>.json is in force from today; <code>.<date>.json are later versions of the same code.
    const dated = files.filter((f) => /\.\d{4}-\d{2}-\d{2}\.json$/.test(f)).length;
    if (report.status === 'installed') {
      expect(report.procedures).toHaveLength(shipped);
      expect(report.counts.new).toBe(shipped - dated);
      expect(report.counts.updated).toBe(dated);
      expect(report.placeholders.every((p) => p.mappedTo !== null)).toBe(true);
      console.info(`base pack: ${shipped} procedures, ${report.diagrams.length} diagrams imported in ${Math.round(ms)} ms`);
    }
    const [installed] = await listInstalled(svc.db.em());
    expect(installed).toMatchObject({ packId: 'vn.motcua.base', publisher: { keyId: DEMO_KEY_ID }, installedBy: 'system:demo' });
    expect(await listTrustedKeys(svc.db.em())).toEqual([]);
    // A restart: nothing to do.
    expect((await installDemoPack(svc)).status).toBe('already_installed');
    expect(await listInstalled(svc.db.em())).toHaveLength(1);
  });

  it('the demo key cannot be trusted', async () => {
    const svc = ctx.t.platform.services;
    const pem = readFileSync(fileURLToPath(new URL('../../procedures/demo-key/demo.pub', import.meta.url)), 'utf8');
    await expect(
      svc.db.em().transactional((em) => trustKey(svc, em, cliActing(), { publicKey: pem, publisherName: 'x', province: 'X' })),
    ).rejects.toMatchObject({ code: 'pack.key_invalid' });
  });
});
