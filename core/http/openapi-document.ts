import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env.ts';

/** The core's tags, in the order a reader meets them; plugins' tags follow, described by default. */
const coreTags: { name: string; description: string }[] = [
  { name: 'system', description: 'Liveness, version and the API description itself' },
  { name: 'auth', description: 'Sign-in, sessions, your account and your personal API tokens' },
  { name: 'organisation', description: 'Units of the province (tree, names over time) and roles' },
  { name: 'users', description: 'Accounts and their role grants by unit' },
  { name: 'audit', description: 'The hash-chained audit trail' },
  { name: 'engine', description: 'BPMN process definitions, instances, tasks, messages, incidents and migration' },
  { name: 'calendar', description: 'Working-time calendar: holidays, make-up days, working hours, deadlines' },
  { name: 'catalogue', description: 'The procedure catalogue (thủ tục hành chính): search, drafts, publication' },
  { name: 'packs', description: 'Signed procedure packs: import, export, trusted publisher keys' },
];

type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

/** The OpenAPI 3.1 document served at /api/openapi.json. */
export function openApiDocument(app: OpenAPIHono<AppEnv>, version: string): Document {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'motcua API',
      version,
      description:
        'One-stop administrative procedures platform. Errors are RFC 9457 problem details with stable codes (docs/errors.md); each operation lists the codes it may answer.',
      license: { name: 'AGPL-3.0-or-later', url: 'https://www.gnu.org/licenses/agpl-3.0.html' },
    },
    servers: [{ url: '/', description: 'This server' }],
  });
  const used = new Set<string>();
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item as Record<string, { tags?: string[] }>)) for (const tag of op?.tags ?? []) used.add(tag);
  }
  const tags = coreTags.filter((t) => used.has(t.name));
  for (const name of [...used].filter((n) => !coreTags.some((t) => t.name === n)).sort())
    tags.push({ name, description: `Routes of the ${name} plugin` });
  return { ...doc, tags };
}
