// CPU and memory of processes, read from /proc (Linux only).
import { readFileSync, readdirSync } from 'node:fs';

const TICKS = 100; // USER_HZ: 100 on every Linux we run on (getconf CLK_TCK)

/** utime + stime of one process, in seconds; null when it has gone. */
export function procCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime (fields 14, 15)
  } catch {
    return null;
  }
}

/** VmRSS of a process, in MB. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

function cmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function comm(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * CPU seconds per PostgreSQL process: the server's own processes (checkpointer, WAL writer…)
 * and the backends connected to `database`. Backends of other databases (other people's
 * tests on the shared server) are left out.
 */
export function postgresCpu(database: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || comm(pid) !== 'postgres') continue;
    const cmd = cmdline(pid);
    // Backends read "postgres: 15/main: <user> <database> <host>(<port>) <activity>".
    const backend = /^postgres: \S+: (\S+) (\S+) \S+\(\d+\)/.exec(cmd);
    if (backend && backend[2] !== database) continue;
    const cpu = procCpuSeconds(Number(pid));
    if (cpu !== null) out.set(Number(pid), cpu);
  }
  return out;
}

/** CPU used between two snapshots; processes that ended meanwhile count with their last reading lost. */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, cpu] of after) sum += cpu - (before.get(pid) ?? 0);
  return sum;
}

/** Busy CPU seconds of the whole machine (every process, ours or not), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]; // cpu user nice system idle iowait irq softirq steal
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS;
}
