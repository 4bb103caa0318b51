import type { TestClient, TestPlatform } from './platform.ts';

/** What POST /api/instances takes. */
export interface RawStartBody {
  definitionKey: string;
  version?: number;
  businessKey?: string;
  variables?: Record<string, unknown>;
  unitId?: string;
}

/**
 * POST /api/instances as it is used: a raw start (no dossier) is an analyst's tool, so a freshly
 * signed-in demo analyst (province-wide) starts the instance, in the body's unit or else in the
 * first unit of `forUser`, the user who will work it: the instance lies where a dossier received
 * at that user's desk would put it, and that user's tasks and reads behave as they would.
 * Answers the response, so a test still checks its status (201, 422 …).
 */
export async function rawStart(t: TestPlatform, body: RawStartBody, forUser?: TestClient): Promise<Response> {
  let unitId = body.unitId;
  if (!unitId && forUser) {
    const me = (await (await forUser.get('/api/me')).json()) as { grants: { unitId: string }[] };
    unitId = me.grants[0]?.unitId;
  }
  const analyst = await t.login('analyst');
  return analyst.post('/api/instances', { ...body, ...(unitId && { unitId }) });
}
