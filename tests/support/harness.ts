// The one test harness (docs/testing.md): a platform per test file on the project's database,
// signed-in demo users, and the steps of a process scenario (deploy, start, complete, send …)
// written once, so a test reads as Given / When / Then of the domain.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { useTestPlatform, type TestClient, type TestPlatform, type TestPlatformOptions } from './platform.ts';
import { rawStart } from './raw-start.ts';

export { ORIGIN, TestClient, testDialect, type TestPlatform } from './platform.ts';
export { rawStart } from './raw-start.ts';

export interface HarnessOptions extends TestPlatformOptions {
  /** The folder of the file's BPMN fixtures (`new URL('./fixtures/', import.meta.url)`): `deploy('x.bpmn')` reads from it. */
  fixtures?: URL;
}

export interface Harness {
  /** The platform of this file (started in beforeAll, closed in afterAll). */
  readonly t: TestPlatform;
  /** The platform's services (engine, jobs, db, …). */
  readonly services: TestPlatform['platform']['services'];
  /** A fresh entity manager on the file's database. */
  em(): ReturnType<TestPlatform['platform']['services']['db']['em']>;
  /** Signs a demo account in (password "demo" unless given) and returns its client. */
  login(username: string, password?: string): Promise<TestClient>;
  /** The text of a fixture file (HarnessOptions.fixtures). */
  fixture(name: string): string;
  /** The steps of a process scenario; `as` is who acts when a step is not told otherwise. */
  process<I extends InstanceLike = InstanceView>(defaults: { as: () => TestClient }): ProcessSteps<I>;
}

export interface TaskRef {
  id: string;
  activityId: string;
}

export interface InstanceLike {
  id: string;
  openTasks: TaskRef[];
}

/** GET /api/instances/:id, the fields most scenarios read (a file may declare more). */
export interface InstanceView extends InstanceLike {
  status: string;
  businessKey: string | null;
  definitionKey: string;
  definitionVersion: number;
  variables: Record<string, unknown>;
  history: { activityId: string; endedAt: string | null }[];
}

export interface Deployed {
  definitions: { id: string; key: string; version: number }[];
  warnings: string[];
}

export interface MessageResult {
  messageId: string;
  status: string;
  duplicate: boolean;
  instanceId: string | null;
  expiresAt: string | null;
}

export interface ProcessSteps<I extends InstanceLike> {
  /**
   * Given a diagram deployed (XML, or the name of a fixture file), by a freshly signed-in analyst
   * unless `as` says who. Expects 201 or 200 (the same diagram already deployed) unless `status` is given.
   */
  deploy(source: string, options?: { as?: TestClient; status?: number | number[] }): Promise<Deployed>;
  /**
   * When an instance of the definition starts (201 expected): a raw start by an analyst, in the
   * unit of `as` (the user who works it), as `rawStart` does.
   */
  start(definitionKey: string, businessKey?: string, variables?: Record<string, unknown>, options?: { as?: TestClient }): Promise<I>;
  /** The instance as `as` sees it (200 expected). */
  instance(id: string, as?: TestClient): Promise<I>;
  /** The open tasks of the instance. */
  openTasks(id: string, as?: TestClient): Promise<TaskRef[]>;
  /**
   * Completes a task: the task given, the first open task of the instance view given, or the
   * first open task of the instance whose id is given (read afresh). 204 expected unless `status` is given.
   */
  complete(
    target: string | TaskRef | I,
    options?: { as?: TestClient; variables?: Record<string, unknown>; status?: number },
  ): Promise<Response>;
  /** A message to POST /api/messages (200 expected unless `status` is given). */
  send(message: Record<string, unknown>, options?: { as?: TestClient; status?: number }): Promise<MessageResult>;
}

const XML = { 'content-type': 'application/xml' };

/** One platform for the test file, on the project's dialect (call at the top of the file). */
export function useHarness(options: HarnessOptions = {}): Harness {
  const { fixtures, ...platformOptions } = options;
  const ctx = useTestPlatform(platformOptions);
  const fixture = (name: string) => {
    if (!fixtures) throw new Error('useHarness({ fixtures }) names no fixture folder');
    return readFileSync(new URL(name, fixtures), 'utf8');
  };
  const h: Harness = {
    get t() {
      return ctx.t;
    },
    get services() {
      return ctx.t.platform.services;
    },
    em: () => ctx.t.platform.services.db.em(),
    login: (username, password) => ctx.t.login(username, password),
    fixture,
    process<I extends InstanceLike>(defaults: { as: () => TestClient }): ProcessSteps<I> {
      const instance = async (id: string, as = defaults.as()): Promise<I> => {
        const res = await as.get(`/api/instances/${id}`);
        expect(res.status, await res.clone().text()).toBe(200);
        return (await res.json()) as I;
      };
      return {
        async deploy(source, { as, status = [200, 201] } = {}) {
          const xml = source.trimStart().startsWith('<') ? source : fixture(source);
          const res = await (as ?? (await ctx.t.login('analyst'))).post('/api/definitions', xml, XML);
          expect(Array.isArray(status) ? status : [status], await res.clone().text()).toContain(res.status);
          return (await res.json()) as Deployed;
        },
        async start(definitionKey, businessKey, variables, { as = defaults.as() } = {}) {
          const res = await rawStart(ctx.t, { definitionKey, businessKey, variables }, as);
          expect(res.status, await res.clone().text()).toBe(201);
          return (await res.json()) as I;
        },
        instance,
        openTasks: async (id, as) => (await instance(id, as)).openTasks,
        async complete(target, { as = defaults.as(), variables = {}, status = 204 } = {}) {
          const task =
            typeof target === 'string' ? (await instance(target, as)).openTasks[0] : 'openTasks' in target ? target.openTasks[0] : target;
          expect(task, 'an open task to complete').toBeDefined();
          const res = await as.post(`/api/tasks/${task.id}/complete`, { variables });
          expect(res.status, await res.clone().text()).toBe(status);
          return res;
        },
        async send(message, { as = defaults.as(), status = 200 } = {}) {
          const res = await as.post('/api/messages', message);
          expect(res.status, await res.clone().text()).toBe(status);
          return (await res.json()) as MessageResult;
        },
      };
    },
  };
  return h;
}
