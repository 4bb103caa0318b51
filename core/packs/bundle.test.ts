import { describe, expect, it } from 'vitest';
import { ORIGIN, startTestPlatform, useTestPlatform, type TestClient, type TestPlatform } from '../../tests/support/platform.ts';
import type { Ports } from '../modules/ports.ts';
import { cliActing } from '../org/actor.ts';
import { findUser, grantRole } from '../org/users-service.ts';
import { installDemoPack } from './demo.ts';
import { exportFiles } from './exporter.ts';
import { buildPack } from './pack.ts';
import { fixtureHeader, testKeys, testPrivateKey } from '../../tests/support/test-packs.ts';
import { rawStart } from '../../tests/support/raw-start.ts';

const source = useTestPlatform();
const catalogue = (s: Ports) => s.catalogue;

async function upload(t: TestPlatform, client: TestClient, zip: Buffer, query = ''): Promise<Response> {
  return t.platform.app.request(`${ORIGIN}/api/packs${query}`, {
    method: 'POST',
    headers: { ...client.headers, cookie: client.cookie ?? '', 'content-type': 'application/zip' },
    body: new Uint8Array(zip),
  });
}

describe('a pack exported from one database', () => {
  it('imports into another through the API, and the interlinked birth bundle runs there end to end', { timeout: 120_000 }, async () => {
    // Given the shipped base pack installed on the source database, exported and signed
    const s = source.t.platform.services;
    expect((await installDemoPack(s)).status).toBe('installed');
    const { files, codes } = await exportFiles(s, s.db.em());
    expect(codes).toContain('3.000722');
    const { zip } = await buildPack(fixtureHeader({ id: 'vn.demo.export', placeholders: [] }), files, testPrivateKey, s.clock.now());

    const target = await startTestPlatform();
    try {
      const o = target.platform.services;
      // When an admin of the other database trusts the key and uploads the pack
      const admin = await target.login('admin');
      expect(
        (await admin.post('/api/packs/keys', { publicKey: testKeys.publicKeyPem, publisherName: 'Tỉnh Demo', province: 'DEMO' })).status,
      ).toBe(201);
      const dry = await (await upload(target, admin, zip, '?dryRun=true')).json();
      expect(dry).toMatchObject({ status: 'dry_run', counts: { new: codes.length } });
      const res = await upload(target, admin, zip);
      expect(res.status).toBe(201);
      // Then its catalogue is the source's
      const exported = await catalogue(s).exportPublished(s.db.em());
      const imported = await catalogue(o).exportPublished(o.db.em());
      expect(imported).toEqual(exported);

      // And the interlinked bundle runs: desk → civil status, police, social insurance → desk
      await o.db.em().transactional(async (em) => {
        const root = (await em.execute<{ id: string }[]>("SELECT id FROM units WHERE code = 'DEMO'"))[0].id;
        for (const [username, role] of [
          ['clerk', 'receptionist'],
          ['specialist', 'specialist'],
          ['leader', 'leader'],
        ] as const) {
          await grantRole(o, em, cliActing(), { userId: (await findUser(em, username)).id, role, unitId: root });
        }
      });
      const workers = {
        clerk: await target.login('clerk'),
        specialist: await target.login('specialist'),
        leader: await target.login('leader'),
      };
      const started = await rawStart(
        target,
        {
          definitionKey: 'vn_base_lt_khai_sinh',
          businessKey: 'LT-0001',
          unitId: 'DEMO.TTPVHCC.Q1',
          variables: { tenTre: 'Nguyễn Văn An' },
        },
        workers.clerk,
      );
      expect(started.status).toBe(201);
      const { id } = (await started.json()) as { id: string };
      const done: string[] = [];
      for (let round = 0; round < 20; round++) {
        let progressed = false;
        for (const client of Object.values(workers)) {
          const tasks = (await (await client.get('/api/tasks')).json()) as { id: string; activityId: string }[];
          for (const task of tasks) {
            const r = await client.post(`/api/tasks/${task.id}/complete`, { variables: { complete: true, khaiSinhApproved: true } });
            expect(r.status, await r.clone().text()).toBe(204);
            done.push(task.activityId);
            progressed = true;
          }
        }
        if (!progressed) break;
      }
      const instance = (await (await workers.clerk.get(`/api/instances/${id}`)).json()) as { status: string };
      expect(instance.status).toBe('completed');
      expect(done).toEqual(
        expect.arrayContaining([
          'Task_TiepNhan',
          'Task_HoTich_XuLy',
          'Task_HoTich_PheDuyet',
          'Task_ThuongTru_XuLy',
          'Task_ThuongTru_PheDuyet',
          'Task_Bhyt_XuLy',
          'Task_Bhyt_PheDuyet',
          'Task_TraKetQua',
        ]),
      );
    } finally {
      await target.close();
    }
  });
});
