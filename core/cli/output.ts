import { AppError } from '../errors.ts';

/** Exit codes of the `motcua` command. */
export const EXIT = {
  ok: 0,
  /** Something is wrong that the command found (e.g. a broken audit chain), or a bug. */
  failed: 1,
  /** The request was refused: usage error, invalid configuration, or an AppError. */
  refused: 2,
} as const;

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function err(line = ''): void {
  process.stderr.write(`${line}\n`);
}

/** Left-aligned columns, two spaces apart; the last column is not padded. */
export function table(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  return all.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] + (cell.length - [...cell].length))))
      .join('  ')
      .trimEnd(),
  );
}

/** Configuration mistakes are refusals, not bugs: loadConfig throws plain errors for them. */
function isConfigError(e: unknown): e is Error {
  return e instanceof Error && /^(Invalid configuration|DATABASE_URL )/.test(e.message);
}

/**
 * Prints an error the way an operator wants it: expected ones as `error <code>: <message>`
 * on stderr (exit 2), unexpected ones with their stack (exit 1).
 */
export function reportError(e: unknown): number {
  if (e instanceof AppError) {
    err(`error ${e.code}: ${e.message}`);
    return EXIT.refused;
  }
  if (isConfigError(e)) {
    err(`error config.invalid: ${e.message}`);
    return EXIT.refused;
  }
  const code = (e as { code?: unknown })?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '3D000' || code === '28P01') {
    err(`error service.unavailable: cannot reach the database (${(e as Error).message})`);
    return EXIT.refused;
  }
  err(`error internal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return EXIT.failed;
}

/** Parses an option value as an integer within bounds (commander argument parser). */
export function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new AppError('request.invalid', `${name} must be an integer from ${min} to ${max} (got "${value}")`);
    return n;
  };
}

/** `YYYY-MM-DD` that names a real calendar day. */
export function isoDate(name: string, value: string): string {
  const day = new Date(`${value}T00:00:00Z`);
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value;
  if (!ok) throw new AppError('request.invalid', `${name} must be a date as YYYY-MM-DD (got "${value}")`);
  return value;
}
