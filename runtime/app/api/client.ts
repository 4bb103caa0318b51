// The typed API client: paths, parameters, bodies and answers come from the generated OpenAPI
// types (openapi.ts). Errors are RFC 9457 problems with a stable code (ApiError). A 401 from any
// call but sign-in asks the session handler (the shell's sign-in dialog) and, once signed in
// again, sends the same request once more, so the screen and its unsaved input stay as they were.
import type { components, paths } from './openapi.ts';

export type Schemas = components['schemas'];
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type PathsWith<M extends Method> = { [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never }[keyof paths];
type Operation<P extends keyof paths, M extends Method> = paths[P][M];
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : undefined;
type Answer<O> = O extends { responses: infer R }
  ? 200 extends keyof R
    ? JsonOf<R[200]>
    : 201 extends keyof R
      ? JsonOf<R[201]>
      : undefined
  : never;
type Options<O> = (O extends { parameters: { query?: infer Q } } ? ([Q] extends [never | undefined] ? unknown : { query?: Q }) : unknown) &
  (O extends { parameters: { path: infer P } } ? ([P] extends [never | undefined] ? unknown : { params: P }) : unknown) &
  (O extends { requestBody: { content: { 'application/json': infer B } } } ? { body: B } : unknown) & {
    /** Do not open the sign-in dialog on 401 (the first call that finds out whether anyone is signed in). */
    reauth?: false;
  };

/** A problem the API answered, or `network` when no answer came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly retryAfter?: number,
    /** The problem's own fields beyond the standard ones (`missing`, `issues`, `candidates`…). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${status} ${code}: ${detail ?? title}`);
  }
}

type SessionHandler = () => Promise<void>;
let onSessionExpired: SessionHandler | null = null;
let pending: Promise<void> | null = null;

/** The shell's sign-in dialog: resolves once the person signed in again. */
export function handleSessionExpiry(handler: SessionHandler | null): void {
  onSessionExpired = handler;
}

function url(path: string, params?: Record<string, unknown>, query?: Record<string, unknown>): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params?.[name] ?? '')));
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    for (const one of Array.isArray(v) ? v : [v]) search.append(k, String(one));
  }
  const qs = search.toString();
  return qs ? `${filled}?${qs}` : filled;
}

async function send(
  method: Method,
  path: string,
  o: { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown },
) {
  try {
    return await fetch(url(path, o.params, o.query), {
      method: method.toUpperCase(),
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(o.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
  } catch {
    throw new ApiError(0, 'network', 'No answer from the server');
  }
}

async function problem(res: Response): Promise<ApiError> {
  const p = (await res.json().catch(() => ({}))) as { code?: string; title?: string; detail?: string; retryAfter?: number };
  return new ApiError(
    res.status,
    p.code ?? `http.${res.status}`,
    p.title ?? res.statusText,
    p.detail,
    p.retryAfter,
    p as Record<string, unknown>,
  );
}

async function request<P extends PathsWith<M>, M extends Method>(method: M, path: P, options?: Options<Operation<P, M>>) {
  return (await exchange(method, path, options)).data;
}

/** The request and its answer's headers too (a page's X-Next-Cursor). */
async function exchange<P extends PathsWith<M>, M extends Method>(
  method: M,
  path: P,
  options?: Options<Operation<P, M>>,
): Promise<{ data: Answer<Operation<P, M>>; headers: Headers }> {
  const o = (options ?? {}) as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown; reauth?: false };
  let res = await send(method, path, o);
  if (res.status === 401 && path !== '/api/auth/login' && o.reauth !== false && onSessionExpired) {
    // Several calls may find out at once: one dialog, and each retries after it.
    pending ??= onSessionExpired().finally(() => (pending = null));
    await pending;
    res = await send(method, path, o);
  }
  if (!res.ok) throw await problem(res);
  if (res.status === 204) return { data: undefined as Answer<Operation<P, M>>, headers: res.headers };
  return { data: (await res.json()) as Answer<Operation<P, M>>, headers: res.headers };
}

export const api = {
  get: <P extends PathsWith<'get'>>(path: P, options?: Options<Operation<P, 'get'>>) => request('get', path, options),
  /** A GET that also gives the answer's headers, e.g. `X-Next-Cursor` of a keyset page. */
  getWithHeaders: <P extends PathsWith<'get'>>(path: P, options?: Options<Operation<P, 'get'>>) => exchange('get', path, options),
  post: <P extends PathsWith<'post'>>(path: P, options?: Options<Operation<P, 'post'>>) => request('post', path, options),
  put: <P extends PathsWith<'put'>>(path: P, options?: Options<Operation<P, 'put'>>) => request('put', path, options),
  patch: <P extends PathsWith<'patch'>>(path: P, options?: Options<Operation<P, 'patch'>>) => request('patch', path, options),
  delete: <P extends PathsWith<'delete'>>(path: P, options?: Options<Operation<P, 'delete'>>) => request('delete', path, options),
};
