import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';
import { Dossier } from './entities.ts';
import { applicant, complete, procedure, publish } from './fixtures/procedures.ts';
import { INDICATOR_KEYS } from './evaluation-model.ts';
import { CLIENT_LIMIT, CLIENT_WINDOW_MS, CODE_LIMIT, CODE_WINDOW_MS, purgeLookupThrottle } from './lookup-throttle.ts';
import type { DossierView } from './service.ts';

/**
 * The public lookup API and the applicant's evaluation (issue 15 point 8). The app trusts a
 * proxy here (MOTCUA_TRUST_PROXY=1), so each test is a client of its own by X-Forwarded-For.
 * There is no transition to status 10 (result returned) yet: the tests set it through the
 * entity manager.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url), config: { trustProxy: true } });
const { deploy } = h.process({ as: () => clerk });
let clerk: TestClient;
let citizen: TestClient;
let received: DossierView;
let delivered: DossierView;

// applicant: ID number 001204012345, phone 0912345678
const ID_FOUR = '2345';
const PHONE_FOUR = '5678';

let nextIp = 1;
/** A client at an address of its own. */
const newIp = () => `203.0.113.${nextIp++}`;

async function lookup(body: unknown, ip: string) {
  return citizen.post('/api/public/dossiers/lookup', body, { 'x-forwarded-for': `10.9.9.9, ${ip}` });
}
async function evaluate(body: unknown, ip: string) {
  return citizen.post('/api/public/dossiers/evaluation', body, { 'x-forwarded-for': ip });
}
/** A problem as a client would compare it: everything but the request id. */
async function problem(res: Response) {
  const { requestId, ...rest } = (await res.json()) as Record<string, unknown>;
  expect(requestId).toEqual(expect.any(String));
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: rest };
}
const scores = (points: number) => Object.fromEntries(INDICATOR_KEYS.map((k) => [k, points]));

async function receive(): Promise<DossierView> {
  const res = await clerk.post('/api/dossiers', {
    procedureCode: '1.900001',
    caseKey: 'standard',
    channel: 1,
    applicant: { ...applicant, address: 'Số 1 đường Lê Lợi, phường An Bình' },
    outcome: 'receive',
    components: complete,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as DossierView;
}

/** Sets the status as the (not yet built) return of the result will, with its history row. */
async function markDelivered(d: DossierView) {
  const em = h.em();
  await em.nativeUpdate(Dossier, { id: d.id }, { status: 10 });
  await em.execute(
    'INSERT INTO dossier_status_history (id, dossier_id, from_status, to_status, at, by_id, by_name, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [
      crypto.randomUUID(),
      d.id,
      2,
      10,
      new Date('2026-03-11T09:15:00+07:00'),
      null,
      'Chuyên viên Trả Kết Quả',
      'ghi chú nội bộ không được lộ',
    ],
  );
}

beforeAll(async () => {
  h.t.clock.set(new Date('2026-03-06T16:40:00+07:00'));
  clerk = await h.login('clerk');
  citizen = h.t.client();
  await deploy('registration.bpmn');
  await publish(h.services, [procedure('1.900001')]);
  received = await receive();
  delivered = await receive();
  await markDelivered(delivered);
});

describe('Public lookup', () => {
  it('Given a received dossier, When the applicant gives its code and the last four digits of the ID number, Then exactly the allowed fields come back, in plain Vietnamese', async () => {
    const res = await lookup({ code: received.code, secret: ID_FOUR }, newIp());
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ['appointmentAt', 'code', 'evaluation', 'history', 'procedureName', 'receivedAt', 'status', 'statusName'].sort(),
    );
    expect(body).toEqual({
      code: received.code,
      status: 2,
      statusName: 'Đã tiếp nhận',
      procedureName: 'Thủ tục thử 1.900001',
      receivedAt: new Date('2026-03-06T16:40:00+07:00').toISOString(),
      appointmentAt: new Date('2026-03-11T16:40:00+07:00').toISOString(),
      history: [
        { at: new Date('2026-03-06T16:40:00+07:00').toISOString(), text: '06/03/2026 16:40: Hồ sơ đã được tiếp nhận.' },
        // The hop of the receipt (hops.ts): unit names only, never who gave or received it.
        {
          at: new Date('2026-03-06T16:40:00+07:00').toISOString(),
          text: '06/03/2026 16:40: Hồ sơ được chuyển từ Quầy tiếp nhận và trả kết quả số 1 đến Xã An Bình để xử lý.',
        },
      ],
      evaluation: 'not_yet',
    });
    for (const line of body.history as object[]) expect(Object.keys(line).sort()).toEqual(['at', 'text']);
    // Nothing personal or internal anywhere in the answer.
    for (const secret of [
      applicant.name,
      applicant.idNumber,
      applicant.phone,
      'Lê Lợi',
      received.id,
      received.unitId,
      'clerk',
      'Trần Thị Tiếp Nhận',
      received.instanceIds[0],
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('opens with the last four digits of the phone as well, and with the code typed in lower case', async () => {
    const byPhone = await lookup({ code: received.code, secret: PHONE_FOUR }, newIp());
    expect(byPhone.status).toBe(200);
    const lower = await lookup({ code: ` ${received.code.toLowerCase()} `, secret: ID_FOUR }, newIp());
    expect(lower.status).toBe(200);
    expect(((await lower.json()) as { code: string }).code).toBe(received.code);
  });

  it('shows the status history without who changed it or their notes', async () => {
    const res = await lookup({ code: delivered.code, secret: ID_FOUR }, newIp());
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({
      status: 10,
      statusName: 'Đã trả kết quả',
      evaluation: 'open',
      history: [
        { text: '06/03/2026 16:40: Hồ sơ đã được tiếp nhận.' },
        { text: '06/03/2026 16:40: Hồ sơ được chuyển từ Quầy tiếp nhận và trả kết quả số 1 đến Xã An Bình để xử lý.' },
        { text: '11/03/2026 09:15: Kết quả đã được trả cho người nộp.' },
      ],
    });
    expect(text).not.toContain('Trả Kết Quả');
    expect(text).not.toContain('nội bộ');
  });

  it('Given a wrong code and a wrong secret, Then both get the same answer: status, body and headers', async () => {
    const ip = newIp();
    const wrongSecret = await problem(await lookup({ code: received.code, secret: '0000' }, ip));
    const wrongCode = await problem(await lookup({ code: `${received.code.slice(0, -4)}9999`, secret: ID_FOUR }, ip));
    const neither = await problem(await lookup({ code: 'KHONG-CO-HO-SO', secret: '1111' }, ip));
    expect(wrongSecret.status).toBe(404);
    expect(wrongSecret.body).toMatchObject({ code: 'dossier.lookup_failed' });
    expect(wrongCode).toEqual(wrongSecret);
    expect(neither).toEqual(wrongSecret);
  });

  it('Given a client past its limit, Then it gets 429 with Retry-After, another client does not, and the window ends', async () => {
    const ip = newIp();
    for (let i = 0; i < CLIENT_LIMIT; i++) {
      const res = await lookup({ code: `KHONG-CO-${i}`, secret: '1234' }, ip);
      expect(res.status).toBe(404);
    }
    const refused = await problem(await lookup({ code: received.code, secret: ID_FOUR }, ip));
    expect(refused).toMatchObject({ status: 429, retryAfter: String(CLIENT_WINDOW_MS / 1000), body: { code: 'dossier.lookup_throttled' } });
    expect(refused.body.retryAfter).toBe(CLIENT_WINDOW_MS / 1000);
    // The right code and secret from another address still work.
    expect((await lookup({ code: received.code, secret: ID_FOUR }, newIp())).status).toBe(200);
    // Behind the proxy the address it appended counts, not what the client wrote before it.
    const spoofed = await lookup({ code: received.code, secret: ID_FOUR }, `${newIp()}, ${ip}`);
    expect(spoofed.status).toBe(429);
    h.t.clock.advance(CLIENT_WINDOW_MS);
    expect((await lookup({ code: received.code, secret: ID_FOUR }, ip)).status).toBe(200);
  });

  it('Given a code tried from many addresses, Then it is refused after its limit whether it exists or not, alike, and other codes are not', async () => {
    clerk = await h.login('clerk');
    const fresh = await receive();
    const fake = 'DEMO.TTPVHCC-260306-8888';
    const answers = async (code: string) => {
      const out = [];
      for (let i = 0; i <= CODE_LIMIT; i++) out.push(await problem(await lookup({ code, secret: '0000' }, newIp())));
      return out;
    };
    const real = await answers(fresh.code);
    const missing = await answers(fake);
    expect(real.slice(0, CODE_LIMIT).every((a) => a.status === 404)).toBe(true);
    expect(real[CODE_LIMIT]).toMatchObject({ status: 429, retryAfter: String(CODE_WINDOW_MS / 1000) });
    expect(missing).toEqual(real);
    // Even the right secret waits now; another code does not.
    expect((await lookup({ code: fresh.code, secret: ID_FOUR }, newIp())).status).toBe(429);
    expect((await lookup({ code: received.code, secret: ID_FOUR }, newIp())).status).toBe(200);
    h.t.clock.advance(CODE_WINDOW_MS);
    expect((await lookup({ code: fresh.code, secret: ID_FOUR }, newIp())).status).toBe(200);
  });

  it('keeps only hashes of what it counts, and the purge removes windows that have ended', async () => {
    const em = h.em();
    const rows = await em.execute<{ key_hash: string }[]>('SELECT key_hash FROM dossier_lookup_throttle');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.key_hash))).toBe(true);
    h.t.clock.advance(CODE_WINDOW_MS + 1);
    expect(await purgeLookupThrottle(h.services)).toBe(rows.length);
    expect(await em.execute('SELECT key_hash FROM dossier_lookup_throttle')).toEqual([]);
  });

  it.each([
    ['a secret of letters', { code: 'X', secret: 'abcd' }],
    ['a secret of three digits', { code: 'X', secret: '123' }],
    ['a secret of five digits', { code: 'X', secret: '12345' }],
    ['no code', { secret: '1234' }],
    ['an empty code', { code: '  ', secret: '1234' }],
    ['a code of 101 characters', { code: 'X'.repeat(101), secret: '1234' }],
    ['a field more', { code: 'X', secret: '1234', name: 'Nguyễn Văn An' }],
  ])('refuses %s with 400 request.invalid, counting nothing', async (_label, body) => {
    const res = await lookup(body, newIp());
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('request.invalid');
  });

  it('is a public operation in the API description, and a cross-site post is refused', async () => {
    const doc = (await (await citizen.get('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown> }>>;
    };
    for (const path of ['/api/public/dossiers/lookup', '/api/public/dossiers/evaluation']) {
      expect(doc.paths[path].post.security).toEqual([]);
      expect(Object.keys(doc.paths[path].post.responses)).toEqual(expect.arrayContaining(['404', '429']));
    }
    const res = await citizen.post(
      '/api/public/dossiers/lookup',
      { code: received.code, secret: ID_FOUR },
      { origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
  });
});

describe("The applicant's evaluation", () => {
  it('Given a dossier whose result is not returned, When the applicant evaluates, Then 409 dossier.evaluation_not_open and nothing is stored', async () => {
    const res = await evaluate({ code: received.code, secret: ID_FOUR, indicators: scores(2), satisfaction: 5 }, newIp());
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'dossier.evaluation_not_open', status: 2 });
    expect(await h.em().execute('SELECT id FROM dossier_evaluations')).toEqual([]);
  });

  it('Given a wrong secret, Then the evaluation gets the same answer as a failed lookup', async () => {
    const ip = newIp();
    const wrong = await problem(await evaluate({ code: delivered.code, secret: '0000', indicators: scores(2), satisfaction: 5 }, ip));
    const none = await problem(await evaluate({ code: 'KHONG-CO', secret: '0000', indicators: scores(2), satisfaction: 5 }, ip));
    expect(wrong).toMatchObject({ status: 404, body: { code: 'dossier.lookup_failed' } });
    expect(none).toEqual(wrong);
  });

  it('Given a returned dossier, When the applicant evaluates it, Then it is stored once for reporting and audited; a second evaluation is 409', async () => {
    h.t.clock.set(new Date('2026-03-12T10:00:00+07:00'));
    const indicators = { ...scores(2), contacts: 1, attitude: 0 };
    const res = await evaluate({ code: delivered.code, secret: PHONE_FOUR, indicators, satisfaction: 4 }, newIp());
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toEqual({
      code: delivered.code,
      indicators,
      totalPoints: 15,
      satisfaction: 4,
      evaluatedAt: new Date('2026-03-12T10:00:00+07:00').toISOString(),
    });
    const [row] = await h
      .em()
      .execute<Record<string, unknown>[]>(
        'SELECT dossier_id, total_time, contacts, attitude, online, total_points, satisfaction FROM dossier_evaluations WHERE dossier_id = ?',
        [delivered.id],
      );
    expect(row).toEqual({
      dossier_id: delivered.id,
      total_time: 2,
      contacts: 1,
      attitude: 0,
      online: 2,
      total_points: 15,
      satisfaction: 4,
    });
    const audit = await h
      .em()
      .execute<{ action: string; actor_name: string }[]>("SELECT action, actor_name FROM audit_log WHERE action = 'dossier.evaluated'");
    expect(audit).toHaveLength(1);

    const again = await evaluate({ code: delivered.code, secret: ID_FOUR, indicators: scores(0), satisfaction: 1 }, newIp());
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe('dossier.evaluation_exists');
    const lookedUp = await lookup({ code: delivered.code, secret: ID_FOUR }, newIp());
    expect(((await lookedUp.json()) as { evaluation: string }).evaluation).toBe('done');
    expect(await h.em().execute('SELECT id FROM dossier_evaluations')).toHaveLength(1);
  });

  it.each([
    ['an indicator missing', { indicators: (({ online: _, ...rest }) => rest)(scores(1)), satisfaction: 3 }],
    ['3 points', { indicators: { ...scores(1), feedback: 3 }, satisfaction: 3 }],
    ['a negative score', { indicators: { ...scores(1), feedback: -1 }, satisfaction: 3 }],
    ['half a point', { indicators: { ...scores(1), feedback: 1.5 }, satisfaction: 3 }],
    ['an unknown indicator', { indicators: { ...scores(1), speed: 2 }, satisfaction: 3 }],
    ['satisfaction 0', { indicators: scores(1), satisfaction: 0 }],
    ['satisfaction 6', { indicators: scores(1), satisfaction: 6 }],
    ['no satisfaction', { indicators: scores(1) }],
    ['a comment field', { indicators: scores(1), satisfaction: 3, comment: 'x' }],
  ])('refuses %s with 400 request.invalid', async (_label, part) => {
    const res = await evaluate({ code: delivered.code, secret: ID_FOUR, ...part }, newIp());
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('request.invalid');
  });
});
