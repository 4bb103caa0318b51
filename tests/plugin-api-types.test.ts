import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { fileURLToPath } from 'node:url';

/**
 * The plugin API exposes no knex type (issue 14: knex goes with MikroORM 7). This walks what
 * `core/plugin-api.ts` exports, as the type checker sees it: every type its declarations name
 * (public members, parameters, results, inferred types of constants), through core's own
 * files, and reports each path that ends in a declaration of `knex` or `@mikro-orm/knex`.
 * Function bodies, private members and other packages' internals are not part of the API.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const KNEX = /\/node_modules\/(knex|@mikro-orm\/knex)\//;

function knexReachableFrom(entry: string, only?: string[]): string[] {
  const configFile = ts.readConfigFile(`${root}tsconfig.json`, (f) => ts.sys.readFile(f));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const file = `${root}${entry}`;
  const program = ts.createProgram([file], { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  const found = new Set<string>();
  const seenNodes = new Set<ts.Node>();
  const seenTypes = new Set<ts.Type>();
  const ours = (f: string) => !f.includes('/node_modules/');

  const visitSymbol = (symbol: ts.Symbol, path: string): void => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    for (const d of target.declarations ?? []) {
      const f = d.getSourceFile().fileName;
      if (KNEX.test(f)) found.add(`${path} → ${target.name} (${f.slice(f.indexOf('node_modules'))})`);
      else if (ours(f) && !seenNodes.has(d)) {
        seenNodes.add(d);
        visitNode(d, `${path} → ${target.name}`);
      }
    }
  };
  const visitType = (type: ts.Type, path: string, depth = 0): void => {
    if (depth > 8 || seenTypes.has(type)) return;
    seenTypes.add(type);
    for (const s of [type.aliasSymbol, type.getSymbol()]) if (s) visitSymbol(s, path);
    for (const t of type.aliasTypeArguments ?? []) visitType(t, path, depth + 1);
    if (type.isUnionOrIntersection()) for (const t of type.types) visitType(t, path, depth + 1);
    for (const sig of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      for (const p of sig.getParameters()) visitType(checker.getTypeOfSymbol(p), path, depth + 1);
      visitType(sig.getReturnType(), path, depth + 1);
    }
  };
  const hidden = (n: ts.Node) =>
    (ts.canHaveModifiers(n) &&
      (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) ||
    ((ts.isPropertyDeclaration(n) || ts.isMethodDeclaration(n)) && ts.isPrivateIdentifier(n.name));
  const visitNode = (decl: ts.Node, path: string): void => {
    const walk = (n: ts.Node): void => {
      if (ts.isBlock(n) || hidden(n)) return;
      if (ts.isVariableDeclaration(n) && !n.type) return visitType(checker.getTypeAtLocation(n.name), path);
      if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n)) && !n.type) {
        const sig = checker.getSignatureFromDeclaration(n);
        if (sig) visitType(sig.getReturnType(), path);
      }
      if (ts.isTypeReferenceNode(n) || ts.isTypeQueryNode(n) || ts.isExpressionWithTypeArguments(n)) {
        const name = ts.isTypeReferenceNode(n) ? n.typeName : ts.isTypeQueryNode(n) ? n.exprName : n.expression;
        const s = checker.getSymbolAtLocation(name);
        if (s) visitSymbol(s, path);
      }
      if (ts.isImportTypeNode(n)) visitType(checker.getTypeFromTypeNode(n), path);
      ts.forEachChild(n, walk);
    };
    walk(decl);
  };
  for (const s of checker.getExportsOfModule(moduleSymbol)) if (!only || only.includes(s.name)) visitSymbol(s, s.name);
  return [...found];
}

describe('the plugin API', () => {
  it('exports no knex type, directly or through what it exports', () => {
    expect(knexReachableFrom('core/plugin-api.ts')).toEqual([]);
  }, 60_000);

  it("would catch one: the engine's dependencies reach knex (control)", () => {
    expect(knexReachableFrom('core/engine/deps.ts', ['EngineDeps']).join('\n')).toMatch(/EngineDeps → .*knex/);
  }, 60_000);
});
