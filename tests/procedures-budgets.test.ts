import { describe, expect, it } from 'vitest';
import { budgetPaths, budgetViolations, statutoryHours } from '../core/catalogue/budget-paths.ts';
import { diagramFiles, documents, read } from './support/base-pack-source.ts';

/**
 * The budget rule for the whole base pack (core/catalogue/budget-paths.ts): for every case of
 * every procedure, the step budgets along every path of its diagram (gateways, message hops of a
 * bundle along the chain, loops taken once) fit the case's statutory time in working hours
 * (1 working day = 8 h; the strictest channel).
 */

describe('procedures/base: step budgets fit the statutory limit along every path', () => {
  it('every diagram of the pack is checked by at least one case', () => {
    const checked = new Set(documents().flatMap((d) => d.doc.cases.map((c) => c.process.diagram)));
    expect(diagramFiles.filter((f) => !checked.has(`diagrams/${f}`))).toEqual([]);
  });

  it('no path of any case exceeds its statutory time', async () => {
    const problems: string[] = [];
    for (const { doc } of documents()) {
      for (const c of doc.cases) {
        const limit = Math.min(...c.channels.map((ch) => statutoryHours(ch.time)));
        const paths = await budgetPaths(read(c.process.diagram), c.process.definitionKey);
        if (paths.length === 0) problems.push(`${c.process.diagram} (${doc.code} ${c.key}): no path from a start event to an end`);
        const label = `${c.process.diagram} (${doc.code} ${c.key}, limit ${limit} h)`;
        for (const v of await budgetViolations(read(c.process.diagram), c.process.definitionKey, limit, c.supplement.policy, label))
          problems.push(v.message);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the birth bundle (Decree 63/2024) finishes within 3 working days', async () => {
    const birth = documents().find((d) => d.doc.cases[0].process.definitionKey === 'vn_base_lt_khai_sinh')!.doc;
    for (const ch of birth.cases[0].channels) expect(ch.time, ch.channel).toEqual({ value: 3, unit: 'working_days' });
    expect(await budgetViolations(read('diagrams/lien-thong-khai-sinh.bpmn'), 'vn_base_lt_khai_sinh', 24, 'restart')).toEqual([]);
  });
});
