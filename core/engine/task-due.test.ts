import { describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/knex';
import { TaskDueRules, type TaskDue } from './task-due.ts';

const em = {} as EntityManager;
const task = (id: string, stepDueAt: Date | null): Omit<TaskDue, 'dueAt'> => ({
  taskId: id,
  instanceId: 'i',
  businessKey: 'K',
  unitId: null,
  createdAt: new Date('2026-03-16T07:00:00Z'),
  stepDueAt,
});

describe('Due-time rules', () => {
  it('Given two rules, When tasks open, Then each rule sees the step’s own time as the rules before it left it, and tasks a rule leaves out keep theirs', async () => {
    const rules = new TaskDueRules();
    const seen: (string | null)[] = [];
    rules.register(
      'cap',
      async (_em, tasks) => new Map(tasks.filter((t) => t.taskId === 'a').map((t) => [t.taskId, new Date('2026-03-16T10:00:00Z')])),
    );
    rules.register('look', async (_em, tasks) => {
      seen.push(...tasks.map((t) => t.dueAt?.toISOString() ?? null));
      return new Map();
    });
    const due = await rules.apply(em, [task('a', new Date('2026-03-17T02:00:00Z')), task('b', null)]);
    expect(seen).toEqual(['2026-03-16T10:00:00.000Z', null]);
    expect([...due].map(([id, d]) => [id, d?.toISOString() ?? null])).toEqual([
      ['a', '2026-03-16T10:00:00.000Z'],
      ['b', null],
    ]);
  });

  it('Given a rule name already registered, Then registering it again is refused', () => {
    const rules = new TaskDueRules();
    rules.register('cap', () => Promise.resolve(new Map()));
    expect(() => rules.register('cap', () => Promise.resolve(new Map()))).toThrow(/registered twice/);
  });
});
