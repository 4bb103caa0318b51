import { createRequire } from 'node:module';
import { Parser } from 'saxen';

const require = createRequire(import.meta.url);
/** The engine's moddle package for motcua attributes: its URI and attribute names are the ones the engine reads. */
const motcua = require('../engine/motcua-moddle.json') as {
  uri: string;
  types: { properties: { name: string; isAttr?: boolean }[] }[];
};

/** The namespace URI of the `motcua:` attributes (docs/bpmn-extensions.md). */
export const MOTCUA_NS = motcua.uri;
/** Attribute names the engine reads in that namespace (unit, statusCode, sendBack, …). */
export const MOTCUA_ATTRIBUTES: ReadonlySet<string> = new Set(
  motcua.types.flatMap((t) => t.properties.filter((p) => p.isAttr).map((p) => p.name)),
);

/** Namespaces whose attributes the engine reads or knowingly ignores: a motcua-looking name in them is not a typo. */
const KNOWN = new Set([
  MOTCUA_NS,
  'http://www.omg.org/spec/BPMN/20100524/MODEL',
  'http://www.omg.org/spec/BPMN/20100524/DI',
  'http://www.omg.org/spec/DD/20100524/DC',
  'http://www.omg.org/spec/DD/20100524/DI',
  'http://camunda.org/schema/1.0/bpmn',
  'http://camunda.org/schema/zeebe/1.0',
  'http://camunda.org/schema/modeler/1.0',
  'http://www.w3.org/2001/XMLSchema-instance',
  'http://www.w3.org/XML/1998/namespace',
]);

/**
 * Attributes that look meant for motcua but sit in another namespace, which the engine
 * silently ignores: any attribute whose prefix is `motcua` bound to another URI, and any
 * attribute named like a motcua one (`statusCode`, `unit`, `sendBack`, …) in a namespace the
 * engine does not know. Each warning names the element, the attribute, its URI and the expected
 * one. The XML is assumed well-formed (the engine checked it); a parse fault yields no warnings.
 */
export function foreignMotcuaAttributes(xml: string): string[] {
  const warnings: string[] = [];
  const scopes: Map<string, string>[] = [new Map([['xml', 'http://www.w3.org/XML/1998/namespace']])];
  const parser = new Parser();
  parser.on('openTag', (name: string, getAttrs: () => Record<string, string>) => {
    const attrs = getAttrs();
    const scope = new Map(scopes[scopes.length - 1]);
    for (const [k, v] of Object.entries(attrs)) if (k.startsWith('xmlns:')) scope.set(k.slice(6), v);
    scopes.push(scope);
    for (const [k] of Object.entries(attrs)) {
      const colon = k.indexOf(':');
      if (colon < 0 || k.startsWith('xmlns:')) continue;
      const prefix = k.slice(0, colon);
      const local = k.slice(colon + 1);
      const uri = scope.get(prefix);
      if (uri === MOTCUA_NS) continue;
      const looksMotcua = prefix === 'motcua' || (MOTCUA_ATTRIBUTES.has(local) && (uri === undefined || !KNOWN.has(uri)));
      if (!looksMotcua) continue;
      const element = `<${name}${attrs.id ? ` id="${attrs.id}"` : ''}>`;
      warnings.push(
        `${element}: attribute ${k} is in namespace ${uri === undefined ? '(undeclared prefix)' : `"${uri}"`}, which the engine ignores; motcua attributes use "${MOTCUA_NS}"`,
      );
    }
  });
  parser.on('closeTag', () => {
    scopes.pop();
  });
  parser.on('error', () => {});
  parser.parse(xml);
  return warnings;
}
