import * as elements from 'bpmn-elements';
import { DurableTimers } from './timers.ts';

/**
 * The timer event definition of motcua's engines, mapped to `bpmn:TimerEventDefinition` by the
 * type resolver (elements.ts), bpmn-elements' documented way to extend an event definition
 * (its docs/Extend.md). Nothing of bpmn-elements itself is changed: other code importing it
 * keeps the library's own timers.
 *
 * bpmn-elements computes a timer's expiry with the machine's real time and, on resume,
 * completes at once a timer whose expiry has passed (`timeout <= 0`, before `timers` is even
 * asked). So that only the job runner decides when a timer fires (by the injected clock and
 * the calendar, timer-jobs.ts), an engine whose `timers` option is `DurableTimers` is told
 * that every timer expires at the end of time, through `parse`, the public method bpmn-elements
 * declares for reading a timer value (types.d.ts). The value itself (`timeDuration`,
 * `timeDate`, `timeCycle`) and a cycle's repetitions are still the engine's, and still reach
 * `DurableTimers` in the timer's content. Engines with other timers (the raw test runner,
 * compile/raw-engine.ts) get bpmn-elements' expiry unchanged.
 */

export const END_OF_TIME = new Date('9999-12-31T00:00:00.000Z');

interface ParsedTimer {
  expireAt?: Date;
  repeat?: number;
  delay?: number;
}

interface TimerEventDefinitionBase {
  environment: { timers?: unknown };
  parse(timerType: string, value: string): ParsedTimer;
}

const Base = (
  elements as unknown as {
    TimerEventDefinition: new (activity: unknown, eventDefinition: unknown, context?: unknown, index?: number) => TimerEventDefinitionBase;
  }
).TimerEventDefinition;

export class DurableTimerEventDefinition extends Base {
  override parse(timerType: string, value: string): ParsedTimer {
    const parsed = super.parse(timerType, value);
    if (!(this.environment.timers instanceof DurableTimers)) return parsed;
    return { ...parsed, expireAt: END_OF_TIME, delay: END_OF_TIME.getTime() - Date.now() };
  }
}
