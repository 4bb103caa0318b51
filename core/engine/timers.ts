import { AppError } from '../errors.ts';
import type { Calendar } from './calendar.ts';
import { nextOccurrence, parseCycle, parseInstant } from './iso-time.ts';

/**
 * Durable timers. The engine never arms a timer in memory: each command records the timers
 * that wait (`register(owner).setTimeout(callback)`, where the owner is the timer's content:
 * activity id, execution id, `timeDuration`/`timeDate`/`timeCycle`, `repeat`), and the runtime
 * turns them into rows of the `jobs` table. To fire one, the job runner recovers the instance
 * — the recovered engine registers its waiting timers again — and calls the callback of that
 * execution's timer (bpmn-elements' `_completed`), exactly what an expired `setTimeout` would do.
 *
 * bpmn-elements computes expiry with the machine's real time and, on resume, completes at once
 * a timer whose expiry has passed. So that only the job runner decides when a timer fires (by
 * the injected clock and the calendar), the timers of an engine using `DurableTimers` are told
 * they expire at the end of time by motcua's own timer event definition, mapped in the type
 * resolver (timer-definition.ts); bpmn-elements itself is not changed. The repetitions of a
 * cycle are still counted by the engine.
 */

interface TimerContent {
  id: string;
  type?: string;
  executionId: string;
  parent?: { id: string; executionId?: string };
  timeDuration?: string;
  timeDate?: string;
  timeCycle?: string;
  repeat?: number;
}

/** A timer waiting after a command. */
export interface ArmedTimer {
  activityId: string;
  /** The timer's own execution id (`<activity execution>_<n>`): the job's key. */
  executionId: string;
  /** The execution of the event that holds the timer. */
  activityExecutionId: string | null;
  timeDuration: string | null;
  timeDate: string | null;
  timeCycle: string | null;
  /** Occurrences left, counting this one (cycles); -1 unbounded. */
  repeat: number | null;
}

interface Ref {
  owner: TimerContent | null;
  callback: (...args: unknown[]) => unknown;
  args: unknown[];
  timerId: string;
  done: boolean;
}

/** The `timers` option of every engine: records, never arms. One instance per command. */
export class DurableTimers {
  private readonly refs: Ref[] = [];
  private count = 0;

  get executing(): Ref[] {
    return this.refs.filter((r) => !r.done);
  }

  register = (owner: TimerContent) => ({
    setTimeout: (callback: Ref['callback'], _delay: number, ...args: unknown[]) => this.add(owner, callback, args),
    clearTimeout: this.clearTimeout,
  });

  setTimeout = (callback: Ref['callback'], _delay: number, ...args: unknown[]) => this.add(null, callback, args);

  clearTimeout = (ref: Ref | undefined) => {
    if (ref && typeof ref === 'object') ref.done = true;
    return undefined;
  };

  private add(owner: TimerContent | null, callback: Ref['callback'], args: unknown[]): Ref {
    const ref: Ref = { owner, callback, args, timerId: `timer_${++this.count}`, done: false };
    this.refs.push(ref);
    return ref;
  }

  /** Timers still waiting, one per execution. */
  armed(): ArmedTimer[] {
    const out = new Map<string, ArmedTimer>();
    for (const { owner: o } of this.executing) {
      if (!o?.executionId || !o.id) continue;
      out.set(o.executionId, {
        activityId: o.id,
        executionId: o.executionId,
        activityExecutionId: o.parent?.executionId ?? null,
        timeDuration: o.timeDuration || null,
        timeDate: o.timeDate || null,
        timeCycle: o.timeCycle || null,
        repeat: typeof o.repeat === 'number' ? o.repeat : null,
      });
    }
    return [...out.values()];
  }

  /** Makes the waiting timer of that execution (or, for a start event, of that activity) expire now. */
  fire(target: { executionId?: string; activityId?: string }): boolean {
    const ref = this.executing.find(
      (r) => r.owner && (target.executionId ? r.owner.executionId === target.executionId : r.owner.id === target.activityId),
    );
    if (!ref) return false;
    ref.done = true;
    ref.callback(...ref.args);
    return true;
  }
}

/**
 * When a timer is due, by the injected clock: `timeDuration` → now + duration on the
 * calendar of the unit (in its working time when the timer event says
 * `motcua:workingTime="true"`: `P3D` is three working days, skipping weekends and holidays);
 * `timeDate` → that instant; `timeCycle` → the next occurrence after `after` (the due time of
 * the occurrence just fired, else now). Several → the earliest.
 */
export function timerDueAt(
  t: Pick<ArmedTimer, 'timeDuration' | 'timeDate' | 'timeCycle'> & { workingTime?: boolean },
  ctx: { now: Date; calendar: Pick<Calendar, 'addDuration'>; unitId: string | null; after?: Date },
): Date {
  const due: Date[] = [];
  if (t.timeDuration)
    due.push(ctx.calendar.addDuration(ctx.now, t.timeDuration, { unitId: ctx.unitId, workingTime: t.workingTime === true }));
  if (t.timeDate) {
    const at = parseInstant(t.timeDate);
    if (!at) throw new AppError('process.engine_error', `Unsupported timeDate "${t.timeDate}": use an ISO 8601 date-time`);
    due.push(at);
  }
  if (t.timeCycle) {
    const cycle = parseCycle(t.timeCycle);
    if (!cycle)
      throw new AppError('process.engine_error', `Unsupported timeCycle "${t.timeCycle}": use R<n>/<duration> or R<n>/<start>/<duration>`);
    due.push(nextOccurrence(cycle, ctx.after ?? ctx.now) ?? ctx.now);
  }
  if (due.length === 0) return ctx.now;
  return new Date(Math.min(...due.map((d) => d.getTime())));
}
