import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLACEHOLDER, procedureDocument, type ProcedureDocument } from '../../core/catalogue/schema.ts';

/** The shipped base pack source (procedures/base) as the tests read it, and the demo mapping. */

export const root = fileURLToPath(new URL('../../procedures/', import.meta.url));
export const base = join(root, 'base');
export const read = (path: string) => readFileSync(join(base, path), 'utf8');
export const list = (dir: string, ext: string) =>
  readdirSync(join(base, dir))
    .filter((f) => f.endsWith(ext))
    .sort();

export interface Placeholder {
  token: string;
  kind: 'agency' | 'role' | 'fee';
  description: string;
}
export const pack = JSON.parse(read('pack.json')) as {
  id: string;
  name: string;
  version: string;
  sequence: number;
  publisher: { name: string; province: string };
  placeholders: Placeholder[];
};
export const mapping = JSON.parse(readFileSync(join(root, 'demo-mapping.json'), 'utf8')) as Record<string, string | number>;

export const procedureFiles = list('procedures', '.json');
export const diagramFiles = list('diagrams', '.bpmn');
export const templateFiles = list('templates', '.hbs');
export const formFiles = list('forms', '.json');

export const documents = (): { file: string; doc: ProcedureDocument }[] =>
  procedureFiles.map((file) => ({ file, doc: procedureDocument.parse(JSON.parse(read(`procedures/${file}`))) }));

export const tokensIn = (text: string) => [...text.matchAll(PLACEHOLDER)].map((m) => m[0]);
/** Textual substitution with the demo mapping, as an importer does before it deploys. */
export const substitute = (text: string) => text.replace(PLACEHOLDER, (token) => String(mapping[token]));

/** JSON-aware substitution (docs/pack-format.md §5): a string that is exactly one token takes the mapped value (a fee becomes a number). */
export const resolve = (value: unknown): unknown => {
  if (typeof value === 'string') return Object.hasOwn(mapping, value) ? mapping[value] : substitute(value);
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  return value;
};

/** Ids of the executable processes a diagram defines. */
export const processIds = (xml: string) => [...xml.matchAll(/<bpmn:process id="([^"]+)"[^>]*isExecutable="true"/g)].map((m) => m[1]);

export const FLOW_NODE =
  /<bpmn:(startEvent|endEvent|intermediateThrowEvent|intermediateCatchEvent|userTask|serviceTask|sendTask|receiveTask|manualTask|task|exclusiveGateway|parallelGateway|inclusiveGateway|eventBasedGateway|callActivity|subProcess)\b([^>]*)>/g;
export const attrOf = (attrs: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1];
