import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { AppError } from '../errors.ts';
import {
  assertStateFormat,
  installedEngineVersions,
  renameActivities,
  runningActivities,
  STATE_FORMAT,
  stateFormatMismatches,
} from './state-adapter.ts';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
};
const majorMinor = (v: string) => v.split('.').slice(0, 2).join('.');

const RECHECK = (name: string, installed: string) =>
  `${name} is now ${installed}, but core/engine/state-adapter.ts was written for the saved-state format of ${name} ${STATE_FORMAT[name as keyof typeof STATE_FORMAT]}.x. ` +
  'Instance migration rewrites that state, so before raising STATE_FORMAT: (1) save getState() of waiting instances (a user task with a ' +
  'boundary timer, a sub-process, a multi-instance task, a message wait) and compare it with the fields listed at the top of state-adapter.ts ' +
  '(ids under definitions[].execution.processes[].execution.children[], flows[], broker.queues[].messages[].content id/parent/attachedTo/inbound; ' +
  'definitions[].source); (2) check that TimerEventDefinition still calls parse() and completes at once when timeout <= 0 (timer-definition.ts); ' +
  '(3) run core/engine/migration.test.ts and core/engine/timers.test.ts on both databases; (4) update STATE_FORMAT and ADR 0014.';

describe('the state adapter', () => {
  it('was written for the installed bpmn-engine and bpmn-elements', () => {
    const installed = installedEngineVersions();
    for (const name of Object.keys(STATE_FORMAT) as (keyof typeof STATE_FORMAT)[]) {
      expect(majorMinor(installed[name]), RECHECK(name, installed[name])).toBe(STATE_FORMAT[name]);
      expect(
        majorMinor(manifest.dependencies[name] ?? ''),
        `package.json must declare ${name} (exact version); ${RECHECK(name, manifest.dependencies[name] ?? 'undeclared')}`,
      ).toBe(STATE_FORMAT[name]);
    }
    expect(stateFormatMismatches()).toEqual([]);
    expect(() => assertStateFormat()).not.toThrow();
  });

  it('refuses another major or minor version with process.engine_version_unsupported, accepts another patch', () => {
    const [engine, elements] = [STATE_FORMAT['bpmn-engine'], STATE_FORMAT['bpmn-elements']];
    expect(() => assertStateFormat({ 'bpmn-engine': `${engine}.99`, 'bpmn-elements': `${elements}.7` })).not.toThrow();
    for (const versions of [
      { 'bpmn-engine': '26.0.0', 'bpmn-elements': `${elements}.0` },
      { 'bpmn-engine': `${engine}.0`, 'bpmn-elements': '17.4.0' },
    ]) {
      let err: unknown;
      try {
        assertStateFormat(versions);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('process.engine_version_unsupported');
      expect((err as AppError).message).toMatch(
        /was written for bpmn-(engine|elements) \d+\.\d+\.x; this server runs bpmn-(engine|elements) \d+\.\d+\.\d+/,
      );
    }
  });

  it('renames activity ids, never process data nor execution ids, and finds running activities', () => {
    const state = {
      definitions: [
        {
          id: 'defs_1',
          execution: {
            processes: [
              {
                id: 'p',
                environment: { variables: { id: 'old' } },
                execution: {
                  flows: [{ id: 'f1' }],
                  children: [
                    {
                      id: 'old',
                      status: 'executing',
                      executionId: 'old_1',
                      broker: {
                        queues: [
                          {
                            messages: [
                              {
                                content: {
                                  id: 'old',
                                  executionId: 'old_1',
                                  parent: { id: 'p' },
                                  inbound: [{ id: 'f1', sourceId: 'start', targetId: 'old' }],
                                  message: { id: 'old' },
                                },
                              },
                            ],
                          },
                        ],
                      },
                    },
                    { id: 'new' },
                    { id: 'b', status: 'executing', execution: { children: [{ id: 'inner', status: 'wait' }] } },
                  ],
                },
              },
            ],
          },
        },
      ],
    };
    const ids = new Map([
      ['defs_1', 'defs_2'],
      ['old', 'new'],
    ]);
    const out = renameActivities(state, ids);
    const proc = out.definitions[0].execution.processes[0];
    expect(out.definitions[0].id).toBe('defs_2');
    expect(proc.environment.variables.id).toBe('old');
    expect(proc.execution.children.map((c) => c.id)).toEqual(['new', 'b']);
    const content = proc.execution.children[0].broker!.queues[0].messages[0].content;
    expect(content).toMatchObject({
      id: 'new',
      executionId: 'old_1',
      inbound: [{ id: 'f1', sourceId: 'start', targetId: 'new' }],
      message: { id: 'old' },
    });
    expect(state.definitions[0].id).toBe('defs_1');
    expect([...runningActivities(out)].sort()).toEqual(['b', 'inner', 'new']);
  });
});
