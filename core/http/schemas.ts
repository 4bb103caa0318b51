import { z } from '@hono/zod-openapi';

/** Shared schemas of the API. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
  })
  .openapi('Problem');

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const Grant = z
  .object({ id: z.string(), role: z.string(), unitId: z.string(), unitCode: z.string(), unitName: z.string() })
  .openapi('RoleGrant');

export const UserView = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    email: z.string().nullable(),
    sex: z.enum(['female', 'male', 'other']).nullable(),
    unitId: z.string().nullable(),
    active: z.boolean(),
    locked: z.boolean(),
    failedLogins: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .openapi('User');
