import { AppError, BpmnBusinessError, z, type PluginContext, type ServiceTaskDefinition } from '../../core/plugin-api.ts';
import type { QueueConfig } from './config.ts';
import { ISSUE_TICKET_TOPIC, type IssueTicketInput, type IssueTicketOutput } from './contract.ts';
import { issueTicket } from './tickets.ts';

/** The variables the task gets; the host checks them before the handler runs (`request.invalid`). */
const IssueInput = z.object({
  unitId: z.string().min(1).max(64).describe('Đơn vị tiếp nhận (mã định danh)'),
  serviceCode: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .describe('Mã dịch vụ / lĩnh vực'),
  dossierId: z.string().max(64).nullish().describe('Mã hồ sơ'),
}) satisfies z.ZodType<IssueTicketInput>;
/** What it returns: each field becomes an output parameter of the generated element template. */
const IssueOutput = z.object({
  queueTicketId: z.string().describe('Mã phiếu'),
  queueTicketCode: z.string().describe('Biến nhận số thứ tự'),
}) satisfies z.ZodType<IssueTicketOutput>;

/**
 * Topic `queue.issue-ticket`: a process issues a queue ticket for its dossier (e.g. when an
 * online dossier is ready for collection at the desk). Idempotent per job: a retried job
 * returns the ticket it already issued. A full queue is a business fault the model can
 * catch (error code `queue.full` on a boundary event); bad inputs are a modelling bug.
 * Declared with zod schemas: the designer gets its element template from them
 * (`GET /api/plugins/element-templates`).
 */
export const issueTicketHandler: ServiceTaskDefinition<typeof IssueInput, typeof IssueOutput> = {
  name: 'Cấp số thứ tự (hàng đợi một cửa)',
  description: 'Cấp một số thứ tự tại đơn vị tiếp nhận cho hồ sơ, để công dân được gọi vào quầy',
  input: IssueInput,
  output: IssueOutput,
  async handler(job, pluginCtx) {
    const ctx = pluginCtx as PluginContext<QueueConfig>; // the host hands each plugin its parsed config
    try {
      const ticket = await ctx.em().transactional((em) =>
        issueTicket(
          ctx,
          em,
          { actor: { id: null, name: `engine:${job.topic}` }, requestId: null },
          {
            ...job.variables,
            dossierId: job.variables.dossierId ?? job.businessKey,
            idempotencyKey: job.idempotencyKey,
          },
        ),
      );
      return { variables: { queueTicketId: ticket.id, queueTicketCode: ticket.code } };
    } catch (err) {
      if (err instanceof AppError && err.code === 'queue.full') throw new BpmnBusinessError('queue.full', err.message);
      throw err;
    }
  },
};

export const queueHandlers = { [ISSUE_TICKET_TOPIC]: issueTicketHandler };
