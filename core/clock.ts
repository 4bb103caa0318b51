/** Source of the current time. Injected everywhere so tests can move time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string = '2026-01-05T01:00:00.000Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * The system clock, which may be pinned to a moment and moved while pinned: `serve --demo` pins
 * it to a week ago while it seeds a new demo database, so the demo province and its dossiers have
 * a past (core/demo/dossiers.ts), then releases it before it serves anything.
 */
export class PinnableClock implements Clock {
  private pinned: number | null = null;
  now(): Date {
    return this.pinned === null ? new Date() : new Date(this.pinned);
  }
  set(to: Date): void {
    this.pinned = to.getTime();
  }
  release(): void {
    this.pinned = null;
  }
}
