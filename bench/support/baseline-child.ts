// The raw bpmn-engine baseline (baseline.ts, "shared sourceContext" variant) in a child process
// started with the server's node flags (`npm run serve`: heap ceiling, young generation size,
// pretenuring off; ADR 0011). The baseline in the bench process runs raw bpmn-engine as node
// runs it by default. Against this child, a ratio shows what the platform itself costs with the
// V8 settings held equal.
//
//   node <serve flags> --import tsx bench/support/baseline-child.ts <instances> <warmup>
// prints one JSON line: { completions, cpuSeconds }.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { driver, measureDriver } from './baseline.ts';
import { FIVE_TASKS_XML } from './diagram.ts';

const SELF = fileURLToPath(import.meta.url);

export interface ChildBaseline {
  completions: number;
  cpuSeconds: number;
}

/** Runs the baseline in a child node with `nodeFlags`; warm-up untimed, then `instances` × 5. */
export function childBaseline(nodeFlags: string[], instances: number, warmup: number, timeoutMs = 300_000): Promise<ChildBaseline> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', SELF, String(instances), String(warmup)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{'))
        return reject(new Error(`baseline child (${nodeFlags.join(' ')}) exited with ${code}: ${err.slice(-1000)}`));
      resolve(JSON.parse(line) as ChildBaseline);
    });
  });
}

if (process.argv[1] === SELF) {
  const [instances, warmup] = process.argv.slice(2).map(Number);
  if (!(instances > 0) || !(warmup >= 0)) throw new Error('usage: baseline-child.ts <instances> <warmup>');
  const d = await driver(FIVE_TASKS_XML, 'shared-source-context');
  await measureDriver(d, warmup || 1);
  const r = await measureDriver(d, instances);
  console.log(JSON.stringify({ completions: r.completions, cpuSeconds: r.cpuSeconds }));
}
