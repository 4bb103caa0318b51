import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { templates } from './en.ts';

const app = fileURLToPath(new URL('..', import.meta.url));
const sources = (readdirSync(app, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('openapi.ts'))
  .map((f) => readFileSync(join(app, f), 'utf8'));
/** msg('Vietnamese', { id: 'x.y' }) in any source of the app. */
const calls = sources.flatMap((s) =>
  [...s.matchAll(/msg\(\s*'((?:[^'\\]|\\.)*)',\s*\{\s*id:\s*'([^']+)',?\s*\}/g)].map((m) => ({ vi: m[1], id: m[2] })),
);

describe('the clerk UI’s sentences', () => {
  it('Given every msg() call, Then each has an id and an English sentence, and English has nothing unused', () => {
    const allMsgCalls = sources.reduce((n, s) => n + (s.match(/\bmsg\(/g)?.length ?? 0), 0);
    expect(calls.length, 'a msg() call without { id } or not a plain string').toBe(allMsgCalls);
    const ids = new Set(calls.map((c) => c.id));
    expect([...ids].filter((id) => !(id in templates))).toEqual([]);
    expect(Object.keys(templates).filter((id) => !ids.has(id))).toEqual([]);
  });

  it('Given one id used twice, Then it says the same Vietnamese both times', () => {
    const byId = new Map<string, Set<string>>();
    for (const c of calls) byId.set(c.id, (byId.get(c.id) ?? new Set()).add(c.vi));
    expect([...byId].filter(([, vi]) => vi.size > 1).map(([id]) => id)).toEqual([]);
  });

  it('Given a sentence with placeholders, Then English keeps the same ones', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(calls.filter((c) => names(c.vi).join() !== names(templates[c.id] ?? '').join()).map((c) => c.id)).toEqual([]);
  });
});
