// The compiled server (scripts/build.mjs, ADR 0013) is what `npm start` and `npm run serve` run.
// Given the sources built into a fresh folder, when that server starts on the test database,
// then it serves the API as the sources do: sign-in, deploy, instances, tasks, the example plugin,
// and still loads a plugin written in TypeScript.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, testDialect, type TestDatabase } from './support/platform.ts';
import { ServerProcess } from './support/server-process.ts';

const dialect = testDialect();
const root = fileURLToPath(new URL('../', import.meta.url));
const XML = readFileSync(new URL('./fixtures/three-tasks.bpmn', import.meta.url), 'utf8');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) filesUnder(p, out);
    else out.push(p);
  }
  return out;
}

describe(`compiled server (${dialect})`, () => {
  let out: string;
  let db: TestDatabase | undefined;
  let server: ServerProcess | undefined;
  beforeAll(() => {
    out = join(mkdtempSync(join(tmpdir(), 'motcua-build-')), 'build');
    execFileSync(process.execPath, ['scripts/build.mjs', out], { cwd: root, stdio: 'pipe' });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
    rmSync(join(out, '..'), { recursive: true, force: true });
  });

  it('holds JavaScript only, with every relative import pointing at an emitted file', () => {
    const files = filesUnder(out);
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(existsSync(join(out, 'bin', 'motcua.js'))).toBe(true);
    expect(existsSync(join(out, 'core', 'engine', 'motcua-moddle.json'))).toBe(true);
    const problems: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(file, 'utf8');
      // Only the plugin loader may load tsx, and only for a plugin given as a .ts file.
      if (/\bimport\s*\(?\s*["']tsx/.test(code) && !file.endsWith(join('plugin-host', 'loader.js'))) problems.push(`${file}: imports tsx`);
      for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)"(\.{1,2}\/[^"]+)"/g)) {
        if (!m[1].endsWith('.js') && !m[1].endsWith('.json')) problems.push(`${file}: imports ${m[1]}`);
        else if (!existsSync(join(file, '..', m[1]))) problems.push(`${file}: ${m[1]} was not emitted`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('serves the API from the compiled tree without a TypeScript loader, the example plugin included', { timeout: 60_000 }, async () => {
    db = await createTestDatabase(dialect);
    server = await ServerProcess.start(db, { entry: join(out, 'bin', 'motcua.js'), env: { MOTCUA_PLUGINS: 'queue' } });
    const health = await server.request('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok', version, database: { dialect, reachable: true } });
    expect(JSON.stringify((health.json as { plugins: unknown }).plugins)).toContain('queue');

    await server.signInAdmin();
    const deployed = await server.request('POST', '/api/definitions', XML);
    expect(deployed.status, deployed.text).toBe(201);
    const started = await server.request('POST', '/api/instances', { definitionKey: 'crash-three', businessKey: 'compiled-1' });
    expect(started.status, started.text).toBe(201);
    const id = (started.json as { id: string }).id;
    for (let step = 0; step < 3; step++) {
      const tasks = await server.request('GET', `/api/tasks?instanceId=${id}`);
      const [task] = tasks.json as { id: string }[];
      const done = await server.request('POST', `/api/tasks/${task.id}/complete`, { variables: { step } });
      expect(done.status, done.text).toBe(204);
    }
    const instance = await server.request('GET', `/api/instances/${id}`);
    expect(instance.json).toMatchObject({ status: 'completed', variables: { step: 2 } });

    // The clerk UI, copied into the compiled tree (build/runtime/dist), with its hashed script.
    const page = await server.request('GET', '/app/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<mc-app>');
    const script = /src="(\/app\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect((await server.request('GET', script!)).status).toBe(200);
  });

  it('keeps an up-to-date build, and two builds at once leave one complete build and no leftovers', { timeout: 60_000 }, async () => {
    const again = execFileSync(process.execPath, ['scripts/build.mjs', out], { cwd: root, encoding: 'utf8' });
    expect(again).toMatch(/up to date/);
    const fresh = join(out, '..', 'twice');
    const run = () => promisify(execFile)(process.execPath, ['scripts/build.mjs', fresh], { cwd: root });
    await Promise.all([run(), run()]);
    expect(readdirSync(join(out, '..')).sort()).toEqual(['build', 'twice']);
    expect(existsSync(join(fresh, 'bin', 'motcua.js'))).toBe(true);
    expect(filesUnder(fresh).length).toBe(filesUnder(out).length);
  });

  it('refuses a source that does not compile, naming it, and leaves the previous build in place', () => {
    // A checkout of two modules, one broken, built by the same script.
    const fake = mkdtempSync(join(tmpdir(), 'motcua-build-broken-'));
    try {
      mkdirSync(join(fake, 'scripts'));
      mkdirSync(join(fake, 'core'));
      copyFileSync(join(root, 'scripts', 'build.mjs'), join(fake, 'scripts', 'build.mjs'));
      copyFileSync(join(root, 'scripts', 'build-app.mjs'), join(fake, 'scripts', 'build-app.mjs'));
      copyFileSync(join(root, 'package.json'), join(fake, 'package.json'));
      copyFileSync(join(root, 'tsconfig.json'), join(fake, 'tsconfig.json'));
      symlinkSync(join(root, 'node_modules'), join(fake, 'node_modules'), 'dir');
      writeFileSync(join(fake, 'core', 'good.ts'), 'export const good: number = 1;\n');
      execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: fake, stdio: 'pipe' });
      writeFileSync(join(fake, 'core', 'broken.ts'), 'export const broken = ;\n');
      let stderr = '';
      try {
        execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: fake, stdio: 'pipe' });
      } catch (err) {
        stderr = String((err as { stderr: Buffer }).stderr);
      }
      expect(stderr).toMatch(/core\/broken\.ts:1:\d+/);
      expect(stderr).toMatch(/build failed: build is left as it was/);
      expect(readdirSync(fake).sort()).toEqual(['build', 'core', 'node_modules', 'package.json', 'scripts', 'tsconfig.json']);
      expect(readFileSync(join(fake, 'build', 'core', 'good.js'), 'utf8')).toContain('good = 1');
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });

  it('loads a plugin given as a TypeScript file, registering tsx for it', { timeout: 60_000 }, async () => {
    await server?.stop();
    server = await ServerProcess.start(db!, {
      entry: join(out, 'bin', 'motcua.js'),
      env: { MOTCUA_PLUGINS: join(root, 'examples', 'queue', 'index.ts') },
    });
    const health = await server.request('GET', '/api/health');
    expect(health.status).toBe(200);
    expect((health.json as { plugins: { id: string }[] }).plugins.map((p) => p.id)).toEqual(['queue']);
  });
});
