import { beforeAll, describe, expect, it } from 'vitest';
import { installDemoPack } from '../core/packs/demo.ts';
import { testDialect, useHarness, type TestClient } from './support/harness.ts';
import { documents } from './support/base-pack-source.ts';

/**
 * Routing gaps of the shipped catalogue (issue 17, point 6): an extract copy of a civil-status
 * record (2.000635) is issued by the commune or by the provincial Department of Justice, so a
 * provincial centre's desk names which one decides, and the steps go there; a commune copy
 * received at the centre goes to the commune, whatever the applicant's address.
 */
const sqlite = testDialect() === 'sqlite';
const h = useHarness({ config: { demo: true }, demo: !sqlite });

async function logIn(username: string): Promise<TestClient> {
  const client = h.t.client();
  const res = await client.post('/api/auth/login', { username, password: 'demo' });
  expect(res.status, await res.clone().text()).toBe(200);
  return client;
}

const kase = () =>
  documents()
    .find((d) => d.doc.code === '2.000635' && !d.doc.effectiveFrom)!
    .doc.cases.find((c) => c.key === 'cap-ban-sao-trich-luc')!;

const receive = (clerk: TestClient, competentUnitId?: string) =>
  clerk.post('/api/dossiers', {
    procedureCode: '2.000635',
    caseKey: 'cap-ban-sao-trich-luc',
    channel: 1,
    ...(competentUnitId && { competentUnitId }),
    applicant: { kind: 'citizen', name: 'Đỗ Văn Bình', idNumber: '024088001122', phone: '0987654321' },
    outcome: 'receive',
    components: kase().documents.map((d, i) => ({ document: i, received: true, originals: d.originals, copies: d.copies })),
  });

const inbox = async (as: TestClient, code: string) =>
  ((await (await as.get(`/api/tasks?businessKey=${encodeURIComponent(code)}`)).json()) as { id: string; activityId: string }[]).map(
    (t) => t.activityId,
  );

async function receiveAndHandOver(clerk: TestClient, competentUnitId: string): Promise<string> {
  const res = await receive(clerk, competentUnitId);
  expect(res.status, await res.clone().text()).toBe(201);
  const { code } = (await res.json()) as { code: string };
  const [reception] = (await (await clerk.get(`/api/tasks?businessKey=${encodeURIComponent(code)}`)).json()) as { id: string }[];
  expect((await clerk.post(`/api/tasks/${reception.id}/complete`, { variables: {} })).status).toBe(204);
  return code;
}

beforeAll(async () => {
  h.t.clock.set('2026-12-07T01:00:00.000Z');
  expect((await installDemoPack(h.services)).status).toBe('installed');
}, 120_000);

describe('2.000635: a copy of a civil-status extract, from the commune or the Department of Justice', () => {
  it('Given the provincial centre’s desk, When the clerk names no deciding agency, Then the receipt is refused with both candidates', async () => {
    const res = await receive(await logIn('clerk'));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { code: string; candidates: string[] };
    expect(body.code).toBe('dossier.competent_unit_required');
    expect(body.candidates).toEqual(expect.arrayContaining(['DEMO.STP', 'DEMO.XA.AN-BINH']));
  });

  it('When the clerk names the Department of Justice, Then its specialist gets the step and the commune does not', async () => {
    const code = await receiveAndHandOver(await logIn('clerk'), 'DEMO.STP');
    expect(await inbox(await logIn('specialist'), code)).toEqual(['Task_XuLy']);
    expect(await inbox(await logIn('xa.chuyenvien'), code)).toEqual([]);
  });

  it('When the clerk names the commune, Then the commune’s civil-status officer gets it and the department does not', async () => {
    const code = await receiveAndHandOver(await logIn('clerk'), 'DEMO.XA.AN-BINH');
    expect(await inbox(await logIn('xa.chuyenvien'), code)).toEqual(['Task_XuLy']);
    expect(await inbox(await logIn('specialist'), code)).toEqual([]);
  });
});
