// What the browser tests stand on: the real server (`motcua serve --demo`, sources through tsx,
// embedded SQLite in a temp folder, the demo province), Debian's Chromium driven by
// playwright-core, axe-core over each screen, screenshots at 1366×768. docs/ui.md § Browser tests.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM = process.env.MOTCUA_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENS_DIR = join(root, 'test-results', 'screens');

const truthy = (v: string | undefined) => !!v && v !== '0' && v !== 'false';
/** In CI (CI=1) or when asked (MOTCUA_E2E=1) a missing Chromium fails the run; elsewhere the browser tests are skipped, saying why. */
export const E2E_REQUIRED = truthy(process.env.CI) || truthy(process.env.MOTCUA_E2E);
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const MISSING_CHROMIUM = `Chromium is not at ${CHROMIUM}: install it (apt-get install -y chromium) or point MOTCUA_CHROMIUM at one`;

export interface DemoServer {
  origin: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** `motcua serve --demo` on a free port with a fresh embedded database; resolves once it listens. */
export async function startDemoServer(timeoutMs = 120_000): Promise<DemoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MOTCUA_DATA_DIR: dataDir, MOTCUA_LOG_LEVEL: 'error' };
  for (const key of ['DATABASE_URL', 'MOTCUA_PLUGINS', 'PORT', 'HOST', 'NODE_ENV', 'MOTCUA_PUBLIC_ORIGIN']) delete env[key];
  const child: ChildProcess = spawn(process.execPath, ['bin/motcua.js', 'serve', '--demo', '--port', '0', '--host', '127.0.0.1'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`server ${why}:\n${output.slice(-2000)}`));
    };
    child.once('exit', (code) => fail(`exited with code ${code}`));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
  child.stdout!.removeAllListeners('data').resume();
  child.stderr!.removeAllListeners('data').resume();
  return {
    origin: `http://127.0.0.1:${port}`,
    dataDir,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await gone;
        clearTimeout(force);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Chromium headless, a fresh profile, 1366×768, no background traffic. */
export async function openBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'motcua-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 1366, height: 768 },
    locale: 'vi-VN',
    // Not Vietnam's zone: the UI must write Vietnam time whatever the browser's zone is.
    timezoneId: 'Europe/London',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's WCAG 2.x A/AA rules over the page (shadow roots included): the serious and critical findings. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) does not stop it.
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(() =>
    (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<{ violations: unknown[] }> } }).axe
      .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
      .then((r) => r.violations),
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

/** test-results/screens/<name>.png of the whole viewport. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENS_DIR, `${name}.png`) });
}

/** Waits for the page as a person would; generous, since CI runs this beside the rest of the suite on two cores. */
export const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });

/**
 * A browser test file's suite: skipped, saying why, where Chromium is missing and not required
 * (`E2E_REQUIRED`); run, and failing at its first hook, where it is required.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (!HAVE_CHROMIUM && !E2E_REQUIRED)
    console.warn(`browser tests skipped: ${MISSING_CHROMIUM} (CI=1 or MOTCUA_E2E=1 makes this a failure)`);
  describe.skipIf(!HAVE_CHROMIUM && !E2E_REQUIRED)(name, body);
}

/** What each browser test file stands on, filled by the hooks `useBrowserSession` registers. */
export interface BrowserSession {
  server: DemoServer;
  context: BrowserContext;
  /** The one page, 15 s default timeout. */
  page: Page;
  /** What the page reported against its Content-Security-Policy, and the script errors it threw. */
  cspViolations: string[];
  pageErrors: string[];
}

/**
 * Registers the hooks of a browser test file (call it first inside `describeInBrowser`): the app
 * built if stale, a demo server, Chromium with one page that records CSP violations and script
 * errors; all closed after the file. The returned object's fields are set once `beforeAll` has run.
 */
export function useBrowserSession(): BrowserSession {
  const session = { cspViolations: [] as string[], pageErrors: [] as string[] } as BrowserSession;
  let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;
  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(MISSING_CHROMIUM);
    execFileSync(process.execPath, ['scripts/build-app.mjs'], { cwd: root, stdio: 'pipe' });
    session.server = await startDemoServer();
    browser = await openBrowser();
    session.context = browser.context;
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) session.cspViolations.push(m.text());
    });
    page.on('pageerror', (e) => session.pageErrors.push(e.message));
    session.page = page;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await session.server?.stop();
  });
  return session;
}
