// Where a completion's CPU goes, measured in this process against the same baseline: the engine
// step alone (core/engine/run.ts), then the whole command in a transaction (runtime, SQL, audit),
// then the same through the HTTP app (hono, auth, validation) without sockets. The HTTP phase
// adds the network server, the load's concurrency and the GC that comes with it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/config.ts';
import { createPlatform } from '../../core/boot.ts';
import { createLogger } from '../../core/logger.ts';
import { runEngine } from '../../core/engine/run.ts';
import type { Acting } from '../../core/org/actor.ts';
import { FIVE_TASKS_XML, PROCESS_KEY, TASKS } from './diagram.ts';

export interface LayerRates {
  /** Completions per CPU-second of this process. */
  engine: number;
  command: number;
  app: number;
}

const PASSWORD = 'bench-layers-Ha-Giang-2026';

async function cpuRate(count: number, fn: (i: number) => Promise<void>): Promise<number> {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < count; i++) await fn(i);
  const cpu = process.cpuUsage(cpu0);
  return count / ((cpu.user + cpu.system) / 1e6);
}

/** `instances` instances × 5 completions per layer, after a warm-up of `warmup` instances. */
export async function measureLayers(instances: number, warmup: number): Promise<LayerRates> {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-layers-'));
  const config = loadConfig(
    { MOTCUA_LOG_LEVEL: 'silent', MOTCUA_ADMIN_PASSWORD: PASSWORD, MOTCUA_PUBLIC_URL: 'http://localhost' },
    { database: join(dir, 'motcua.sqlite') },
  );
  const platform = await createPlatform({ config, log: createLogger('silent') });
  try {
    const { app, services: svc } = platform;
    const origin = 'http://localhost';
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      app.request(`${origin}${path}`, {
        method,
        headers: { origin, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    const login = await call('POST', '/api/auth/login', { username: 'admin', password: PASSWORD });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const token = ((await (await call('POST', '/api/me/tokens', { name: 'layers' }, { cookie })).json()) as { token: string }).token;
    const auth = { authorization: `Bearer ${token}` };
    if ((await call('POST', '/api/definitions', FIVE_TASKS_XML, { ...auth, 'content-type': 'application/xml' })).status !== 201)
      throw new Error('layers: deploy failed');
    const [admin] = await svc.db.em().execute<{ id: string }[]>("SELECT id FROM users WHERE username = 'admin'");
    const acting: Acting = { actor: { id: admin.id, name: 'admin' }, requestId: null };
    const def = await svc.engine.definitions.resolve(svc.db.em(), PROCESS_KEY, null);

    // 1. The engine step alone, on states kept in memory.
    const engineLayer = async (n: number) => {
      const states: { state: string; activityId: string; executionId: string }[] = [];
      for (let i = 0; i < n; i++) {
        const r = await runEngine(def, svc.clock, { instanceId: `layer-${i}`, variables: { n: i } });
        states.push({ state: JSON.stringify(r.state), ...r.waiting[0] });
      }
      return cpuRate(n * TASKS, async (k) => {
        const s = states[k % n];
        const r = await runEngine(def, svc.clock, {
          instanceId: `layer-${k % n}`,
          state: JSON.parse(s.state) as object,
          variables: { n: k % n },
          signal: { activityId: s.activityId, executionId: s.executionId, variables: { ok: true } },
        });
        states[k % n] = { state: JSON.stringify(r.state ?? {}), ...(r.waiting[0] ?? { activityId: '', executionId: '' }) };
      });
    };
    // 2 and 3. Instances in the database; each completion finds its open task by primary key.
    const instancesOf = async (n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++)
        ids.push(
          (
            (await (await call('POST', '/api/instances', { definitionKey: PROCESS_KEY, variables: { n: i } }, auth)).json()) as {
              id: string;
            }
          ).id,
        );
      return ids;
    };
    const openTask = async (instanceId: string) =>
      (await svc.db.em().execute<{ id: string }[]>("SELECT id FROM tasks WHERE instance_id = ? AND status = 'open'", [instanceId]))[0].id;
    const layer = async (n: number, complete: (taskId: string) => Promise<void>) => {
      const ids = await instancesOf(n);
      const tasks = await Promise.all(ids.map(openTask));
      let cpu = 0;
      for (let round = 0; round < TASKS; round++) {
        cpu += n / (await cpuRate(n, (i) => complete(tasks[i])));
        if (round < TASKS - 1) for (let i = 0; i < n; i++) tasks[i] = await openTask(ids[i]);
      }
      return (n * TASKS) / cpu;
    };
    const command = (taskId: string) =>
      svc.db.em().transactional(async (em) => svc.engine.completeTask(em, acting, await svc.engine.loadTask(em, taskId), { ok: true }));
    const http = async (taskId: string) => {
      const res = await call('POST', `/api/tasks/${taskId}/complete`, { variables: { ok: true } }, auth);
      if (res.status !== 204) throw new Error(`layers: complete answered ${res.status}`);
    };
    await engineLayer(warmup);
    await layer(warmup, command);
    await layer(warmup, http);
    return { engine: await engineLayer(instances), command: await layer(instances, command), app: await layer(instances, http) };
  } finally {
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
