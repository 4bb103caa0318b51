import { z } from '../../core/plugin-api.ts';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Settings of the queue, from `{ "plugins": { "queue": { … } } }` in the file named by
 * MOTCUA_CONFIG_FILE. Every field has a default, so the plugin runs without configuration.
 */
export const QueueConfig = z.object({
  /** Letters printed before the number: `A` gives A001, A002, … */
  ticketPrefix: z
    .string()
    .regex(/^[A-Z]{0,3}$/, 'up to 3 capital letters')
    .default('A'),
  /** Start again at 1 every morning (the usual practice); false: numbers keep growing. */
  resetDaily: z.boolean().default(true),
  /** The most tickets one unit issues in one period; beyond it `queue.full`. */
  maxPerDay: z.number().int().min(1).max(9999).default(999),
  /** Where "today" is decided (the centre's local time). */
  /**
   * A BPMN message sent when a ticket of a dossier is called (correlation key: the dossier id),
   * e.g. so that the dossier's process records the citizen's arrival; unset: none is sent.
   * Receivers must be marked `motcua:external`.
   */
  calledMessage: z.string().min(1).max(255).optional(),
  timeZone: z.string().refine(isTimeZone, 'not an IANA time zone').default('Asia/Ho_Chi_Minh'),
});
export type QueueConfig = z.infer<typeof QueueConfig>;

/** The local calendar day of an instant, `YYYY-MM-DD`. */
export function localDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The numbering period a ticket issued at `at` belongs to. */
export function periodOf(at: Date, config: QueueConfig): string {
  return config.resetDaily ? localDay(at, config.timeZone) : 'all';
}

/** The printed code: prefix and a zero-padded number (A007). */
export function ticketCode(number: number, config: QueueConfig): string {
  return `${config.ticketPrefix}${String(number).padStart(3, '0')}`;
}
