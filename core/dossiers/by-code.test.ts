import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../../tests/support/harness.ts';
import { countStatements } from '../db/statement-counter.ts';
import { dossierByCode, dossiersByCode, rememberDossier } from './by-code.ts';
import { Dossier } from './entities.ts';
import { procedure, publish, receiveDossier } from './fixtures/procedures.ts';

/**
 * The dossier of a business key is read once per transaction, however many subscribers ask
 * (by-code.ts): the figure `npm run bench -- statements` reports per task completion rests on it.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
const { deploy } = h.process({ as: () => h.login('admin') as never });
let code: string;

beforeAll(async () => {
  const admin = await h.login('admin');
  await deploy('registration.bpmn', { as: admin });
  await publish(h.services, [procedure('1.930203', { process: 'registration', days: 3 })]);
  code = (await receiveDossier(await h.login('clerk'), '1.930203')).code;
});

async function selects(work: () => Promise<void>): Promise<number> {
  const counter = countStatements(h.services.db.orm);
  try {
    await work();
    return counter.read().byKind.SELECT ?? 0;
  } finally {
    counter.stop();
  }
}

describe('The dossier of a business key, per transaction', () => {
  it('Given a dossier and a key that names none, When subscribers ask for each again and again, Then each is read once', async () => {
    let seen: (Dossier | null)[] = [];
    const n = await selects(() =>
      h.em().transactional(async (em) => {
        seen = [await dossierByCode(em, code), await dossierByCode(em, 'NOT-A-DOSSIER')];
        for (let i = 0; i < 3; i++) {
          seen.push(await dossierByCode(em, code), await dossierByCode(em, 'NOT-A-DOSSIER'));
          seen.push((await dossiersByCode(em, [code, 'NOT-A-DOSSIER'])).get(code) ?? null);
        }
      }),
    );
    expect(n).toBe(2); // one per key
    expect(seen[0]?.code).toBe(code);
    expect(seen.filter((d) => d === seen[0])).toHaveLength(7); // the same managed entity every time
    expect(seen.filter((d) => d === null)).toHaveLength(4);
  });

  it('Given a key first found to name no dossier, When a dossier with that code is created in the same transaction, Then later lookups find it', async () => {
    await h.em().transactional(async (em) => {
      expect(await dossierByCode(em, `${code}-X`)).toBeNull();
      const copy = em.create(Dossier, {
        ...(await dossierByCode(em, code))!,
        id: crypto.randomUUID(),
        code: `${code}-X`,
        lockVersion: 1,
      } as never);
      rememberDossier(em, copy);
      expect(await dossierByCode(em, `${code}-X`)).toBe(copy);
      em.remove(copy); // leaves nothing behind
    });
  });

  it('Given a found dossier, When the entity manager is cleared, Then the next lookup reads it again rather than answering a detached entity', async () => {
    await h.em().transactional(async (em) => {
      const first = await dossierByCode(em, code);
      em.clear();
      const again = await dossierByCode(em, code);
      expect(again?.code).toBe(code);
      expect(again).not.toBe(first);
    });
  });
});
