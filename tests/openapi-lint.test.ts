import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useTestPlatform } from './support/platform.ts';

const ctx = useTestPlatform();
const root = fileURLToPath(new URL('..', import.meta.url));

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer?: string }[] }[];
}

/** Redocly's `lint` (recommended ruleset, redocly.yaml) over the document the platform serves. */
async function lint(doc: unknown): Promise<LintReport> {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const cli = join(root, 'node_modules/@redocly/cli/bin/cli.js');
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
    const run = promisify(execFile)(process.execPath, [cli, 'lint', file, `--config=${join(root, 'redocly.yaml')}`, '--format=json'], {
      env,
      cwd: dir,
      maxBuffer: 32 * 1024 * 1024,
    });
    // lint exits 1 when it finds errors; the JSON report is on stdout either way.
    const { stdout } = await run.catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    return JSON.parse(stdout.slice(stdout.indexOf('{'))) as LintReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function document(): Promise<{
  paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; 'x-permission'?: string }>>;
}> {
  return (await ctx.t.client().get('/api/openapi.json')).json();
}

describe('OpenAPI document', () => {
  it('passes Redocly lint (recommended rules) with no errors and no warnings', async () => {
    const report = await lint(await document());
    const shown = report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(', ')}`);
    expect(shown).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('gives every operation a unique camelCase operationId, and public ones an empty security list', async () => {
    const ops = Object.entries((await document()).paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ at: `${method} ${path}`, ...op })),
    );
    expect(ops.filter((o) => !/^[a-z][A-Za-z0-9]*$/.test(o.operationId ?? '')).map((o) => o.at)).toEqual([]);
    const seen = new Map<string, string>();
    for (const o of ops) {
      expect(seen.get(o.operationId!), `${o.operationId} of ${o.at}`).toBeUndefined();
      seen.set(o.operationId!, o.at);
    }
    for (const o of ops.filter((o) => o['x-permission'] === 'public')) expect(o.security, o.at).toEqual([]);
  });
});
