// The load generator: deploys the diagram, starts instances, then completes every open task
// through HTTP with a bounded number of requests in flight, and measures the CPU each party used.
import { HttpClient, pool } from './http.ts';
import { cpuDelta, machineBusySeconds, postgresCpu, procCpuSeconds } from './proc.ts';
import { FIVE_TASKS_XML, PROCESS_KEY, TASKS } from './diagram.ts';

export async function deploy(http: HttpClient): Promise<void> {
  const res = await http.request('POST', '/api/definitions', FIVE_TASKS_XML, { server: 0 });
  if (res.status !== 201 && res.status !== 200) throw new Error(`deploy failed: ${res.status} ${res.text}`);
}

/** Starts `count` instances; returns the id of each one's first open task. */
export async function startInstances(
  http: HttpClient,
  count: number,
  concurrency: number,
  deadline: number,
  onProgress?: (started: number) => void,
): Promise<string[]> {
  const firstTasks: string[] = new Array<string>(count);
  let started = 0;
  await pool(count, concurrency, deadline, async (i) => {
    const res = await http.request('POST', '/api/instances', {
      definitionKey: PROCESS_KEY,
      businessKey: `bench-${i}`,
      variables: { n: i },
    });
    const body = res.json as { openTasks?: { id: string }[] } | null;
    if (res.status !== 201 || !body?.openTasks?.[0]) throw new Error(`start failed: ${res.status} ${res.text.slice(0, 500)}`);
    firstTasks[i] = body.openTasks[0].id;
    onProgress?.(++started);
  });
  return firstTasks;
}

export interface CompletionRun {
  completions: number;
  conflicts: number;
  lists: number;
}

/**
 * Completes tasks until `expected` completions: starts from the given task ids and refills
 * the queue from `GET /api/tasks` (500 at a time, ids already sent are skipped), so finding
 * the next task costs one list request per few hundred completions.
 */
export async function completeAll(
  http: HttpClient,
  initial: string[],
  expected: number,
  concurrency: number,
  deadline: number,
): Promise<CompletionRun> {
  const queue = [...initial];
  const sent = new Set(initial);
  let completions = 0;
  let conflicts = 0;
  let inFlight = 0;
  let lists = 0;
  let listing: Promise<void> | null = null;
  const refill = () =>
    (listing ??= (async () => {
      const res = await http.request('GET', `/api/tasks?filter=all&definitionKey=${PROCESS_KEY}&limit=500`);
      if (res.status !== 200) throw new Error(`task list failed: ${res.status} ${res.text.slice(0, 500)}`);
      lists++;
      for (const t of res.json as { id: string }[]) {
        if (sent.has(t.id)) continue;
        sent.add(t.id);
        queue.push(t.id);
      }
    })().finally(() => {
      listing = null;
    }));

  let waiters: (() => void)[] = [];
  const nextCompletion = () => new Promise<void>((r) => waiters.push(r));
  const worker = async () => {
    while (completions + inFlight < expected) {
      if (Date.now() > deadline) throw new Error(`deadline passed after ${completions} of ${expected} completions`);
      const id = queue.shift();
      if (!id) {
        // Lists only when the queue is empty: one list per few hundred completions.
        const known = sent.size;
        await (listing ?? refill());
        if (sent.size === known) await (inFlight > 0 ? nextCompletion() : new Promise((r) => setTimeout(r, 20)));
        continue;
      }
      inFlight++;
      const res = await http.request('POST', `/api/tasks/${id}/complete`, { variables: { ok: true } }).finally(() => {
        inFlight--;
        const w = waiters;
        waiters = [];
        for (const wake of w) wake();
      });
      if (res.status === 204) completions++;
      else if (res.status === 409) conflicts++;
      else throw new Error(`complete failed: ${res.status} ${res.text.slice(0, 500)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (listing) await listing;
  return { completions, conflicts, lists };
}

export interface Usage {
  wallSeconds: number;
  /** CPU seconds per server process. */
  serverCpu: number[];
  loadCpu: number;
  postgresCpu: number | null;
  machineCpu: number;
}

/** Runs `fn` and measures wall time and the CPU of the servers, this process and PostgreSQL. */
export async function measured<T>(pids: number[], pgDatabase: string | null, fn: () => Promise<T>): Promise<{ result: T; usage: Usage }> {
  const server0 = pids.map((p) => procCpuSeconds(p) ?? NaN);
  const pg0 = pgDatabase ? postgresCpu(pgDatabase) : null;
  const machine0 = machineBusySeconds();
  const load0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const wallSeconds = (performance.now() - t0) / 1000;
  const load = process.cpuUsage(load0);
  const machineCpu = machineBusySeconds() - machine0;
  const postgres = pgDatabase && pg0 ? cpuDelta(pg0, postgresCpu(pgDatabase)) : null;
  const serverCpu = pids.map((p, i) => (procCpuSeconds(p) ?? NaN) - server0[i]);
  return { result, usage: { wallSeconds, serverCpu, loadCpu: (load.user + load.system) / 1e6, postgresCpu: postgres, machineCpu } };
}

export { TASKS };
