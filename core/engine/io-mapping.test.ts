import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { useTestPlatform, type TestClient } from '../../tests/support/platform.ts';
import { calls, callsOf, scenario, svctest } from './fixtures/service-scenario.ts';
import { evaluateIo, mapBindings } from './io-mapping.ts';

const ctx = useTestPlatform({ plugins: [svctest] });
const s = scenario(() => ctx.t);
const IO = readFileSync(new URL('./fixtures/io-mapping.bpmn', import.meta.url), 'utf8');

let clerk: TestClient;

beforeAll(async () => {
  clerk = await ctx.t.login('clerk');
  await s.deploy(IO);
  await s.deploy(
    IO.replaceAll('io-mapping', 'io-mapping-async').replace(
      'camunda:topic="svctest.compute-total"',
      'camunda:topic="svctest.compute-total" camunda:asyncBefore="true"',
    ),
  );
});

beforeEach(() => {
  calls.length = 0;
});

interface TaskView {
  id: string;
  activityId: string;
  variables: Record<string, unknown>;
}

describe('mapped values', () => {
  it('evaluates literals, ${path} (plain or through environment.variables), =FEEL, lists and maps', () => {
    const vars = { a: { b: 2 }, n: 3 };
    expect(evaluateIo('chữ', vars)).toBe('chữ');
    expect(evaluateIo('${a.b}', vars)).toBe(2);
    expect(evaluateIo('${environment.variables.a.b}', vars)).toBe(2);
    expect(evaluateIo('Số ${n}', vars)).toBe('Số 3');
    expect(evaluateIo('=n * 2', vars)).toBe(6);
    expect(evaluateIo(['x', '=n'], vars)).toEqual(['x', 3]);
    expect(evaluateIo({ k: '${a}' }, vars)).toEqual({ k: { b: 2 } });
    expect(evaluateIo('${missing}', vars)).toBeNull();
    expect(() => evaluateIo('${a.constructor}', vars)).toThrow();
  });

  it('maps camunda:in / camunda:out bindings: all, source → target, sourceExpression; nothing without a binding', () => {
    const source = { x: 1, y: { z: 2 } };
    expect(mapBindings([], source)).toEqual({});
    expect(mapBindings([{ variables: 'all' }], source)).toEqual(source);
    expect(mapBindings([{ source: 'x', target: 't' }, { source: 'y' }, { sourceExpression: '=x + 1', target: 'e' }], source)).toEqual({
      t: 1,
      y: { z: 2 },
      e: 2,
    });
  });
});

describe('camunda:inputOutput at run time', () => {
  it('a user task’s input parameters are its variables; its output parameters, evaluated when it ends, are what reaches the process', async () => {
    // Given an instance reaching the review task
    const inst = await s.started(clerk, 'io-mapping', { applicant: { name: 'Trần Văn B' }, area: 120 });
    // Then the task shows its input parameters, evaluated when it started
    const [task] = (await (await clerk.get(`/api/tasks?instanceId=${inst.id}`)).json()) as TaskView[];
    expect(task.activityId).toBe('review');
    expect(task.variables).toEqual({
      title: 'Hồ sơ của Trần Văn B',
      fee: 120_000,
      owner: 'Trần Văn B',
      kind: 'đất ở',
      checks: ['giấy tờ tùy thân', true],
      summary: { who: 'Trần Văn B', area: 120 },
    });
    expect(((await s.instance(inst.id)) as unknown as { openTasks: TaskView[] }).openTasks[0].variables).toEqual(task.variables);
    // And they are not process variables
    expect(inst.variables).toEqual({ applicant: { name: 'Trần Văn B' }, area: 120 });

    // When it is completed with variables, Then only the outputs reach the process (evaluated over inputs + completion variables)
    expect((await clerk.post(`/api/tasks/${task.id}/complete`, { variables: { approved: true, surcharge: 5 } })).status).toBe(204);
    // And the synchronous service task's handler saw its own input `fee` over the process variables
    expect(callsOf('svctest.compute-total')).toHaveLength(1);
    expect(callsOf('svctest.compute-total')[0].job.variables).toMatchObject({
      fee: 60_002.5,
      reviewedFee: 120_005,
      applicant: { name: 'Trần Văn B' },
    });
    const after = await s.instance(inst.id);
    expect(after.variables).toEqual({
      applicant: { name: 'Trần Văn B' },
      area: 120,
      decision: 'chấp thuận',
      reviewedFee: 120_005,
      totalFee: 120_005,
    });
    expect(after.openTasks.map((t) => t.activityId)).toEqual(['close']);
  });

  it('an async service task’s input parameters are kept with its job and given to its handler', async () => {
    const inst = await s.started(clerk, 'io-mapping-async', { applicant: { name: 'C' }, area: 10 });
    const [task] = (await (await clerk.get(`/api/tasks?instanceId=${inst.id}`)).json()) as TaskView[];
    expect((await clerk.post(`/api/tasks/${task.id}/complete`, { variables: { approved: false, surcharge: 0 } })).status).toBe(204);
    const job = await s.serviceJob(inst.id);
    expect(job.payload.inputs).toEqual({ fee: 5_000 });
    await s.runDue();
    expect(callsOf('svctest.compute-total')[0].job.variables).toMatchObject({ fee: 5_000 });
    const after = await s.instance(inst.id);
    expect(after.variables).toMatchObject({ decision: 'từ chối', reviewedFee: 10_000, totalFee: 10_000 });
    expect(after.variables).not.toHaveProperty('total');
    expect(after.variables).not.toHaveProperty('fee');
  });
});
