import { TrieRouter } from 'hono/router/trie-router';

/** The order methods are listed in an Allow header; any other method follows, alphabetically. */
const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const rank = (m: string) => (ORDER.includes(m) ? ORDER.indexOf(m) : ORDER.length);

/**
 * Which methods each path has, from the app's routes (hono's `app.routes`), for the Allow header
 * of a 405. Built once from every route, core and plugins: each route is added under every method
 * with its own method as the value, so one match of a path yields all its methods. Middleware
 * (`app.use`, method ALL) is not a route of the path. HEAD comes with GET, as hono answers it.
 */
export function allowedMethods(routes: readonly { method: string; path: string }[]): (path: string) => string[] {
  const router = new TrieRouter<string>();
  for (const r of routes) if (r.method !== 'ALL') router.add('ALL', r.path, r.method.toUpperCase());
  return (path) => {
    const methods = new Set(router.match('GET', path)[0].map(([method]) => method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  };
}
