import { AppError, BpmnBusinessError, z, type PluginContext, type ServiceTaskHandler } from '../../core/plugin-api.ts';
import type { QueueConfig } from './config.ts';
import { ISSUE_TICKET_TOPIC, type IssueTicketInput, type IssueTicketOutput } from './contract.ts';
import { issueTicket } from './tickets.ts';

const IssueVariables: z.ZodType<IssueTicketInput> = z.object({
  unitId: z.string().min(1).max(64),
  serviceCode: z.string().min(1).max(64),
  dossierId: z.string().max(64).nullish(),
});

/**
 * Topic `queue.issue-ticket`: a process issues a queue ticket for its dossier (e.g. when an
 * online dossier is ready for collection at the desk). Idempotent per job: a retried job
 * returns the ticket it already issued. A full queue is a business fault the model can
 * catch (error code `queue.full` on a boundary event); bad inputs are a modelling bug.
 */
export const issueTicketHandler: ServiceTaskHandler = async (job, pluginCtx) => {
  const ctx = pluginCtx as PluginContext<QueueConfig>; // the host hands each plugin its parsed config
  const parsed = IssueVariables.safeParse(job.variables);
  if (!parsed.success) {
    throw new AppError(
      'request.invalid',
      `queue.issue-ticket needs unitId and serviceCode: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  try {
    const ticket = await ctx.em().transactional((em) =>
      issueTicket(
        ctx,
        em,
        { actor: { id: null, name: `engine:${job.topic}` }, requestId: null },
        {
          ...parsed.data,
          dossierId: parsed.data.dossierId ?? job.businessKey,
          idempotencyKey: job.idempotencyKey,
        },
      ),
    );
    const variables: IssueTicketOutput = { queueTicketId: ticket.id, queueTicketCode: ticket.code };
    return { variables: { ...variables } };
  } catch (err) {
    if (err instanceof AppError && err.code === 'queue.full') throw new BpmnBusinessError('queue.full', err.message);
    throw err;
  }
};

export const queueHandlers: Record<string, ServiceTaskHandler> = { [ISSUE_TICKET_TOPIC]: issueTicketHandler };
