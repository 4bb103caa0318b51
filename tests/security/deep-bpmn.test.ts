import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { useTestPlatform, type TestClient } from '../support/platform.ts';

// Sub-processes nested 3,000 deep overflowed the stack in the support check (500) and 1,000
// deep took seconds to parse and check. Deployment now counts the nesting in the SAX pass that
// already guards the XML, before the diagram is parsed, and refuses it with 422 bpmn.too_deep.

const ctx = useTestPlatform();
const xml = { 'content-type': 'application/xml' };
const SUB_PROCESS = readFileSync(new URL('../../core/engine/fixtures/sub-process.bpmn', import.meta.url), 'utf8');

/** A process whose one activity is `depth` sub-processes, each inside the one before. */
function nestedSubProcesses(depth: number): string {
  let inner = '<userTask id="work" name="Xử lý" />';
  for (let i = depth; i >= 1; i--) inner = `<subProcess id="s${i}">${inner}</subProcess>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="deep-defs" targetNamespace="https://motcua.dev/test">
  <process id="deep-${depth}" isExecutable="true">${inner}</process>
</definitions>`;
}

let analyst: TestClient;

beforeAll(async () => {
  analyst = await ctx.t.login('analyst');
});

describe('deeply nested BPMN', () => {
  it.each([3_000, 1_000, 51])('refuses sub-processes nested %i deep with 422 bpmn.too_deep', async (depth) => {
    const res = await analyst.post('/api/definitions', nestedSubProcesses(depth), xml);
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe('bpmn.too_deep');
    expect(body.detail).toMatch(/line \d+, column \d+/);
  });

  it('refuses any XML element nesting beyond the bound, sub-process or not', async () => {
    const deepExtension = SUB_PROCESS.replace(
      '<userTask id="sign" name="Ký duyệt" />',
      `<userTask id="sign" name="Ký duyệt"><extensionElements>${'<x:a xmlns:x="urn:x">'.repeat(500)}${'</x:a>'.repeat(500)}</extensionElements></userTask>`,
    );
    const res = await analyst.post('/api/definitions', deepExtension, xml);
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe('bpmn.too_deep');
  });

  it('still deploys an ordinary diagram with a sub-process, and sub-processes nested a few deep', async () => {
    expect((await analyst.post('/api/definitions', SUB_PROCESS, xml)).status).toBe(201);
    const res = await analyst.post('/api/definitions', nestedSubProcesses(5), xml);
    expect(res.status, await res.clone().text()).toBe(201);
  });
});
