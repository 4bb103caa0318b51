import { describe, expect, it } from 'vitest';
import * as elements from 'bpmn-elements';
import { DurableTimerEventDefinition, END_OF_TIME } from './timer-definition.ts';
import { DurableTimers } from './timers.ts';
import { typeResolver } from './elements.ts';

type Parsed = { expireAt?: Date; repeat?: number; delay?: number };
const Library = (elements as unknown as { TimerEventDefinition: { prototype: { parse(type: string, value: string): Parsed } } })
  .TimerEventDefinition;
const HOUR = 3_600_000;

function definition(timers: unknown) {
  const quiet = { debug() {}, error() {}, warn() {} };
  const activity = { id: 'wait', environment: { timers, Logger: () => quiet }, broker: {} };
  return new DurableTimerEventDefinition(activity, { type: 'bpmn:TimerEventDefinition', behaviour: { timeDuration: 'PT1H' } });
}

describe('the durable timer event definition', () => {
  it('makes every timer of an engine with DurableTimers expire at the end of time, keeping the repetitions', () => {
    const def = definition(new DurableTimers());
    expect(def.parse('timeDuration', 'PT1H').expireAt).toEqual(END_OF_TIME);
    expect(def.parse('timeDate', '2000-01-01T00:00:00Z').expireAt).toEqual(END_OF_TIME);
    const cycle = def.parse('timeCycle', 'R3/PT1H');
    expect(cycle.expireAt).toEqual(END_OF_TIME);
    expect(cycle.repeat).toBe(3);
  });

  it("leaves bpmn-elements' expiry to engines with other timers", () => {
    const before = Date.now();
    const at = definition(new (elements as unknown as { Timers: new () => object }).Timers()).parse('timeDuration', 'PT1H').expireAt!;
    expect(at.getTime()).toBeGreaterThanOrEqual(before + HOUR);
    expect(at.getTime()).toBeLessThan(END_OF_TIME.getTime());
  });

  it('is reached through the type resolver only: bpmn-elements itself is not patched', () => {
    const entity: { type: string; Behaviour?: unknown } = { type: 'bpmn:TimerEventDefinition' };
    typeResolver(entity as never);
    expect(entity.Behaviour).toBe(DurableTimerEventDefinition);
    expect(elements.TimerEventDefinition).not.toBe(DurableTimerEventDefinition);
    const expireAt = Library.prototype.parse.call({}, 'timeDuration', 'PT1H').expireAt!;
    expect(expireAt.getTime()).toBeLessThan(Date.now() + 2 * HOUR);
  });
});
