import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { defineRoute } from '../http/route.ts';
import { json, jsonBody } from '../http/schemas.ts';
import { callerOf } from './caller.ts';
import { sendMessage } from './instance-service.ts';
import { runErrors } from './run-errors.ts';
import type { EnginePorts } from './ports.ts';

const Published = z
  .object({
    messageId: z.string().describe('The given messageId, or one made up when none was given'),
    status: z
      .enum(['correlated', 'started', 'buffered', 'duplicate'])
      .describe('duplicate: this messageId was already received; nothing changed'),
    duplicate: z.boolean(),
    instanceId: z.string().nullable().describe('The instance the message reached or started'),
    expiresAt: z.string().nullable().describe('While buffered: when it stops waiting for a receiver'),
  })
  .openapi('PublishedMessage');

const send = defineRoute({
  method: 'post',
  path: '/api/messages',
  operationId: 'sendMessage',
  tags: ['engine'],
  summary: 'Send a message to the process instances of your units: correlated by name and correlation key, or buffered for a time',
  description:
    'Reaches only receiving elements the diagram marks `motcua:external` (on the element or its bpmn:Message), in units where you hold process.message. The variables arrive under `messages.<name>` unless the receiving element maps them with output parameters.',
  permission: 'process.message',
  request: jsonBody(
    z
      .object({
        name: z.string().min(1).max(255).describe('The message name (bpmn:message name)'),
        correlationKey: z
          .string()
          .max(255)
          .nullable()
          .optional()
          .describe("Matched against the receiver's key (by default its business key)"),
        variables: z.record(z.string(), z.unknown()).optional(),
        messageId: z.string().min(1).max(255).optional().describe('Idempotency key: a repeated messageId is ignored'),
      })
      .openapi('SendMessage'),
  ),
  errors: [...runErrors, 'message.not_receivable'],
  responses: { 200: json(Published, 'Correlated, started, buffered, or already received') },
});

export function registerMessageRoutes(app: OpenAPIHono<AppEnv>, ports: EnginePorts): void {
  app.openapi(send, async (c) => {
    const result = await sendMessage(ports, callerOf(c), c.req.valid('json'));
    return c.json({ ...result, duplicate: result.status === 'duplicate' }, 200);
  });
}
