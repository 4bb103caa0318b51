import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from './platform.ts';
import { core } from '../../core/modules/index.ts';
import { openDatabase } from '../../core/db/database.ts';

/** The `motcua` command as a child process, for CLI tests. */
export const motcuaBin = fileURLToPath(new URL('../../bin/motcua.js', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment a `motcua` process gets: only the test database, whatever the developer's shell has set. */
export function cliEnv(db: TestDatabase, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, USER: 'tester', MOTCUA_LOG_LEVEL: 'error' };
  for (const key of ['DATABASE_URL', 'MOTCUA_DATA_DIR', 'MOTCUA_PLUGINS', 'MOTCUA_ADMIN_PASSWORD', 'NODE_ENV', 'PORT', 'HOST'])
    delete env[key];
  if (db.dialect === 'postgresql') env.DATABASE_URL = db.database;
  else env.MOTCUA_DATA_DIR = dirname(db.database);
  return { ...env, ...extra };
}

/** Runs `motcua <args>` against the test database and collects its exit code and output. */
export function runMotcua(db: TestDatabase, args: string[], extra?: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [motcuaBin, ...args],
      { cwd: repoRoot, env: cliEnv(db, extra), timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Runs SQL against the test database from outside the CLI (to inspect or tamper with it). */
export async function sqlOn<T>(db: TestDatabase, query: string, params: unknown[] = []): Promise<T> {
  const conn = await openDatabase(
    { dialect: db.dialect, database: db.database, logLevel: 'silent' },
    { entities: core.entities, migrations: core.migrations },
  );
  try {
    return (await conn.em().execute(query, params)) as unknown as T;
  } finally {
    await conn.close();
  }
}
