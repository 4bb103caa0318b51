/**
 * Structure measures of core (issue 14), printed as one JSON object:
 * - `servicesFiles`: files of core/ (tests excluded) that name the `Services` locator;
 * - `importCycles`: circular import chains inside core/ (type-only imports included), as
 *   dependency-cruiser's `no-circular` rule reports them, and the files they pass through;
 * - `longestEngineFunctions`: the longest functions of core/engine/ in lines.
 * Run: `node --import tsx bench/structure.ts` (or `npm run bench -- structure`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { cruise } from 'dependency-cruiser';

const root = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function servicesFiles(files: string[]): string[] {
  return files.filter((f) => /\bServices\b/.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
}

function longestFunctions(files: string[], top = 5): { name: string; file: string; lines: number }[] {
  const found: { name: string; file: string; lines: number }[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart()).line;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        const named =
          (node as ts.FunctionDeclaration).name?.getText() ??
          (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : '(anonymous)');
        found.push({ name: named, file: relative(root, file), lines: end - start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found.sort((a, b) => b.lines - a.lines).slice(0, top);
}

async function importCycles(): Promise<{ count: number; files: string[] }> {
  const result = await cruise(['core'], {
    baseDir: root,
    validate: true,
    ruleSet: { forbidden: [{ name: 'no-circular', severity: 'error', from: { path: '^core/' }, to: { circular: true } }] },
    tsPreCompilationDeps: true,
    exclude: { path: ['node_modules', '\\.test\\.ts$'] },
    doNotFollow: { path: 'node_modules' },
  });
  const output = result.output as { summary: { violations: { from: string; to: string }[] } };
  const violations = output.summary.violations;
  return { count: violations.length, files: [...new Set(violations.map((v) => v.from))].sort() };
}

export async function structureMeasures() {
  const core = sources(join(root, 'core'));
  const cycles = await importCycles();
  return {
    servicesFiles: servicesFiles(core).length,
    importCycles: cycles.count,
    filesInCycles: cycles.files.length,
    longestEngineFunctions: longestFunctions(sources(join(root, 'core', 'engine'))),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await structureMeasures(), null, 2));
}
