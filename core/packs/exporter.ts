import type { EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../modules/ports.ts';
import { AppError } from '../errors.ts';
import { getAssets } from './store.ts';

/**
 * The files of a pack that reproduces the catalogue (all procedures or the codes named): the
 * version in force today as `procedures/<code>.json`, each published to apply later as
 * `procedures/<code>.<effectiveFrom>.json`, the exact BPMN each case is bound to
 * under the diagram path the document names, and the forms and templates it refers to that
 * came with earlier packs. Documents are resolved: an export carries no placeholders.
 */
export async function exportFiles(
  svc: Pick<Ports, 'catalogue' | 'engine'>,
  em: EntityManager,
  codes?: string[],
): Promise<{ files: Map<string, Buffer>; codes: string[] }> {
  const items = await svc.catalogue.exportPublished(em, codes?.length ? codes : undefined);
  const files = new Map<string, Buffer>();
  const diagramSource = new Map<string, string>();
  const assets = new Set<string>();
  for (const { document, bindings, upcoming } of items) {
    const name = upcoming ? `${document.code}.${document.effectiveFrom}` : document.code;
    files.set(`procedures/${name}.json`, Buffer.from(`${JSON.stringify(document, null, 2)}\n`));
    for (const b of bindings) {
      const c = document.cases.find((x) => x.key === b.caseKey);
      if (!c) continue;
      const xml = await svc.engine.definitions.xml(em, b.definitionKey, b.definitionVersion);
      const seen = files.get(c.process.diagram);
      if (seen && !seen.equals(Buffer.from(xml))) {
        throw new AppError(
          'pack.invalid_content',
          `${c.process.diagram} is bound to different deployed versions by ${diagramSource.get(c.process.diagram)} and ${document.code}: publish them again so they use the same one, or export them separately`,
        );
      }
      files.set(c.process.diagram, Buffer.from(xml));
      diagramSource.set(c.process.diagram, document.code);
    }
    for (const d of document.cases.flatMap((c) => c.documents)) if (d.form) assets.add(d.form);
    for (const r of document.results) if (r.template) assets.add(r.template);
    for (const t of document.templates) assets.add(t.file);
  }
  for (const [path, data] of await getAssets(em, [...assets].sort())) files.set(path, data);
  return { files, codes: [...new Set(items.map((i) => i.document.code))] };
}
