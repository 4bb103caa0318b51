import { z, type ExtensionPoint } from '../../core/plugin-api.ts';

/*
 * The queue's public contract: what other plugins may import from it (the only file they
 * may import, by the import rules). Changing it is a breaking change of the queue plugin.
 */

/** Service-task topic that issues a ticket for a dossier; variables in and out. */
export const ISSUE_TICKET_TOPIC = 'queue.issue-ticket';
export interface IssueTicketInput {
  unitId: string;
  serviceCode: string;
  dossierId?: string | null;
}
export interface IssueTicketOutput {
  queueTicketId: string;
  queueTicketCode: string;
}

/**
 * `queue.display-message`: other plugins contribute lines for the waiting-room board
 * (opening hours, a holiday notice, "bring your chip-based ID card").
 */
export const DisplayMessage = z.object({
  vi: z.string().min(1).max(200),
  en: z.string().min(1).max(200).optional(),
  /** Unit ids the message is for; omitted: every unit. */
  units: z.array(z.string()).optional(),
  tone: z.enum(['info', 'warning']).default('info'),
});
export type DisplayMessage = z.infer<typeof DisplayMessage>;

export const queueExtensionPoints: Record<string, ExtensionPoint> = {
  'queue.display-message': {
    description: 'A line of text shown on the queue board of every unit, or of the units listed',
    schema: DisplayMessage,
  },
};
