import type { TimeLimit as EngineTimeLimit } from '../engine/calendar.ts';
import type { ProcedureCase, TimeLimit } from './schema.ts';

/**
 * What a case's `sameDayCutoff` governs (DOMAIN: "same-day procedures: received after 15:00,
 * returned the next working day"). A case is a same-day procedure on a channel when it names a
 * cut-off **and** that channel's time limit is at most one working day (1 working day or 8
 * working hours). On a longer limit the cut-off governs no appointment: an interlinked bundle
 * (3 working days for birth, 7 for death) names 15:00 for its same-day civil-status part, and
 * its dossier is due when the bundle's limit says, not at 17:00 the same day.
 */

export type ChannelName = 'in_person' | 'online' | 'postal';

/** The channel's name from the national channel code (1 in person, 2 online, 3 postal). */
export const channelName = (code: number): ChannelName | undefined => (['in_person', 'online', 'postal'] as const)[code - 1];

/** At most one working day: the only limits a same-day cut-off applies to. */
export function withinOneWorkingDay(t: TimeLimit): boolean {
  return (t.unit === 'working_days' && t.value <= 1) || (t.unit === 'working_hours' && t.value <= 8);
}

/** Whether the case is a same-day procedure on this channel (every channel when none is named). */
export function isSameDay(kase: Pick<ProcedureCase, 'sameDayCutoff' | 'channels'>, channel?: ChannelName): boolean {
  if (!kase.sameDayCutoff) return false;
  const limits = kase.channels.filter((c) => !channel || c.channel === channel).map((c) => c.time);
  return limits.every(withinOneWorkingDay);
}

/** The limit the appointment of a dossier received on this channel follows: the same-day rule, or the channel's time. */
export function receiptLimit(kase: Pick<ProcedureCase, 'sameDayCutoff' | 'channels'>, channel: ChannelName): EngineTimeLimit | null {
  if (kase.sameDayCutoff && isSameDay(kase, channel)) return { sameDay: true, cutoff: kase.sameDayCutoff };
  return kase.channels.find((c) => c.channel === channel)?.time ?? null;
}
