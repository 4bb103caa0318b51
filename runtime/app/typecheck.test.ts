import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * `npm test` type-checks the browser code too (CI also runs `npm run typecheck` over everything):
 * every source of runtime/app (its tests, which run in node, are left to `npm run typecheck`)
 * under the repo's compiler options, the generated API types included, so a screen that calls the API with a wrong path, query or body fails here.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const app = join(root, 'runtime', 'app');

describe('the clerk UI’s TypeScript', () => {
  it('Given every source of runtime/app, Then the compiler finds no error', () => {
    const config = ts.readConfigFile(join(root, 'tsconfig.json'), (f) => ts.sys.readFile(f));
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const files = (readdirSync(app, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => join(app, f));
    const program = ts.createProgram(files, { ...options, noEmit: true });
    const errors = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName.slice(root.length) ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(errors).toEqual([]);
  }, 120_000);
});
