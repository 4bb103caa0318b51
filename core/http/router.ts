import { OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '../errors.ts';
import type { AppEnv } from './env.ts';

/** A router whose validation failures become `request.invalid` problems. Plugins get one too. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        throw new AppError('request.invalid', issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '), { issues });
      }
    },
  });
}
