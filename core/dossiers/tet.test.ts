import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../../tests/support/harness.ts';
import { ManualClock } from '../clock.ts';
import { procedure, publish, receiveDossier } from './fixtures/procedures.ts';

// A platform of its own: the catalogue must be in force before Tết 2026, so the clock starts in February.
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url), clock: new ManualClock('2026-02-02T01:00:00.000Z') });
const { deploy } = h.process({ as: () => null as never });

beforeAll(async () => {
  await deploy('registration.bpmn');
  await publish(h.services, [procedure('1.900001')]);
});

describe('Appointments across Tết', () => {
  it('Given a dossier received at 16:40 on the Friday before Tết 2026, Then its three working days skip the Tết week: due Wednesday 25 February 16:40', async () => {
    // Given Friday 13 February 2026, 16:40; Tết: Sat 14 – Sun 22 February (holidays 16–20)
    h.t.clock.set('2026-02-13T16:40:00+07:00');
    const clerk = await h.login('clerk');
    // When
    const d = await receiveDossier(clerk, '1.900001');
    // Then: 20 min Fri 13 + 8 h Mon 23 + 8 h Tue 24 + 7 h 40 min Wed 25 = 24 working hours
    expect(d.code).toBe('DEMO.TTPVHCC-260213-0001');
    expect(d.appointmentAt).toBe(new Date('2026-02-25T16:40:00+07:00').toISOString());
  });
});
