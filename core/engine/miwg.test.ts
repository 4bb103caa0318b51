import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { compileBpmn } from './compile.ts';
import { parseBpmn } from './compile/moddle.ts';
import { runRaw } from '../../tests/support/raw-engine.ts';
import { serializeProcess } from './compile/serialize.ts';
import { selectProcesses, setAsideWarnings, stripForEngine } from './compile/set-aside.ts';
import { guardXml } from './compile/xml-guard.ts';
import type { CompiledFile } from './model.ts';

// The OMG BPMN MIWG reference diagrams (CC BY 3.0, "BPMN MIWG test suite"), read in place.
const corpus = new URL('../../../shared/corpus/miwg/', import.meta.url);
const files = readdirSync(corpus)
  .filter((f) => f.endsWith('.bpmn'))
  .sort();

/**
 * What each file does today (docs/bpmn-extensions.md keeps the same table): 'deploys', or the
 * code it is refused with. A change here is a change of behaviour: update the docs with it.
 */
const expected: Record<string, string> = {
  'A.1.0.bpmn': 'deploys',
  'A.2.0.bpmn': 'deploys',
  'A.2.1.bpmn': 'bpmn.script_refused',
  'A.3.0.bpmn': 'deploys',
  'A.4.0.bpmn': 'deploys',
  'A.4.1.bpmn': 'deploys',
  'B.1.0.bpmn': 'bpmn.missing_topic',
  'B.2.0.bpmn': 'bpmn.invalid_expression',
  'C.1.0.bpmn': 'bpmn.missing_topic',
  'C.1.1.bpmn': 'bpmn.missing_topic',
  'C.2.0.bpmn': 'bpmn.unbounded_loop',
  'C.3.0.bpmn': 'bpmn.invalid_expression',
  'C.4.0.bpmn': 'bpmn.missing_topic',
  'C.5.0.bpmn': 'deploys',
  'C.6.0.bpmn': 'bpmn.missing_topic',
  'C.7.0.bpmn': 'bpmn.missing_topic',
  'C.8.0.bpmn': 'bpmn.invalid_expression',
  'C.8.1.bpmn': 'deploys',
  'C.9.0.bpmn': 'deploys',
  'C.9.1.bpmn': 'deploys',
  'C.9.2.bpmn': 'deploys',
};

/** Files whose every deployed process runs to its end on raw bpmn-engine with our options. */
const runsToEnd = ['A.1.0', 'A.2.0', 'A.3.0', 'A.4.0', 'A.4.1', 'C.8.1', 'C.9.0', 'C.9.1', 'C.9.2'].map((f) => `${f}.bpmn`);

// The corpus's topics (sendgrid, issuePolicy, …) belong to other products: any topic is known here.
const compile = (file: string) => compileBpmn(readFileSync(new URL(file, corpus), 'utf8'), { maxBytes: 2_000_000, hasTopic: () => true });

async function outcome(file: string): Promise<{ code: string; compiled?: CompiledFile; error?: AppError }> {
  try {
    return { code: 'deploys', compiled: await compile(file) };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { code: err.code, error: err };
  }
}

describe('MIWG reference diagrams', () => {
  it('Given the corpus, when listed, then every file has an expected outcome', () => {
    expect(files).toEqual(Object.keys(expected).sort());
  });

  for (const file of files) {
    it(`Given ${file}, when compiled, then it deploys or is refused with an AppError naming the element`, async () => {
      const result = await outcome(file);
      expect(result.code).toBe(expected[file]);
      if (result.error) {
        const extra = result.error.extra ?? {};
        const ids = [extra.elementId, ...((extra.elementIds as string[] | undefined) ?? [])].filter(
          (id): id is string => typeof id === 'string',
        );
        expect(ids.length).toBeGreaterThan(0);
        for (const id of ids) expect(result.error.message).toContain(id);
      } else {
        expect(result.compiled!.processes.length).toBeGreaterThan(0);
        for (const p of result.compiled!.processes) {
          expect(JSON.parse(p.context).processes).toHaveLength(1);
          expect(Object.keys(p.activities).length).toBeGreaterThan(0);
        }
      }
    });
  }

  // Collapsed pools, global tasks, item definitions and bare performers crashed the serializer
  // (corpus README). Whatever the policy checks say, the prepared context must now build.
  for (const file of files) {
    it(`Given ${file}, when its processes are prepared for the engine, then each one serializes`, async () => {
      const parsed = await parseBpmn(guardXml(readFileSync(new URL(file, corpus), 'utf8'), 2_000_000));
      const warnings: string[] = [];
      const processes = selectProcesses(parsed.rootElement, warnings);
      warnings.push(...setAsideWarnings(parsed.rootElement));
      expect(processes.length).toBeGreaterThan(0);
      for (const proc of processes) {
        stripForEngine(proc, warnings);
        expect(JSON.parse(serializeProcess(parsed, proc)).processes[0].id).toBe(proc.id);
      }
    });
  }

  for (const file of runsToEnd) {
    it(`Given ${file} deployed, when run on bpmn-engine with the motcua options, then every process reaches its end`, async () => {
      const { processes } = await compile(file);
      for (const proc of processes) {
        const run = await runRaw(proc);
        expect({ process: proc.key, outcome: run.outcome }).toEqual({ process: proc.key, outcome: 'end' });
      }
    });
  }
});
