import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, type TestClient } from '../../tests/support/harness.ts';

/**
 * `motcua:sendBack` checked at deploy (ADR 0020, compile/check-send-back.ts): a step the engine
 * would refuse to send back whatever happens at run time is reported in the deploy's warnings,
 * like the other marks the engine cannot honour; the diagram still deploys.
 */
const h = useHarness({ fixtures: new URL('./fixtures/', import.meta.url) });
let analyst: TestClient;
const { deploy } = h.process({ as: () => analyst });

beforeAll(async () => {
  analyst = await h.login('analyst');
});

describe('Send-back marks checked at deploy', () => {
  it('Given a diagram marking a first step, a branch of a split, a step after a join, a step looping back, a step in a sub-process and a sound approval, When it is deployed, Then it deploys with one warning for each step the engine cannot send back, and none for the approval', async () => {
    const { definitions, warnings } = await deploy('send-back-marks.bpmn', { status: 201 });
    expect(definitions.map((d) => d.key)).toEqual(['send-back-marks']);
    const marks = warnings.filter((w) => w.includes('motcua:sendBack'));
    const about = (id: string) => marks.filter((w) => w.startsWith(`bpmn:UserTask "${id}"`));
    expect(about('first')).toEqual([
      'bpmn:UserTask "first" ("Tiếp nhận"): motcua:sendBack on a step with no user task before it on its path (the first step, or a step after a joining gateway); a send-back from it is refused at run time',
    ]);
    expect(about('left')).toHaveLength(1); // behind the split's parallel gateway, and before the join
    expect(about('merged')[0]).toContain('no user task before it on its path');
    expect(about('review')[0]).toContain('leads back to the step before it ("draft")');
    expect(about('innerTask')[0]).toContain('inside a sub-process');
    expect(about('approve')).toEqual([]);
    expect(about('right')).toEqual([]); // not marked
    expect(marks).toHaveLength(5);
  });

  it('Given a step with a step before it whose path reaches a parallel gateway, Then the warning names the gateway, as the run-time refusal does (any parallel, inclusive or complex gateway after it)', async () => {
    const xml = h
      .fixture('send-back-marks.bpmn')
      .replace('id="send-back-marks"', 'id="send-back-join"')
      .replace(
        '<sequenceFlow id="f0" sourceRef="start" targetRef="first" />',
        '<sequenceFlow id="f0" sourceRef="start" targetRef="before" /><userTask id="before" name="Trước" /><sequenceFlow id="f0b" sourceRef="before" targetRef="first" />',
      )
      .replace(
        '<sequenceFlow id="f1" sourceRef="first" targetRef="split" />',
        '<sequenceFlow id="f1" sourceRef="first" targetRef="split" />',
      );
    const { warnings } = await deploy(xml, { status: 201 });
    expect(warnings.filter((w) => w.startsWith('bpmn:UserTask "first"'))).toEqual([
      'bpmn:UserTask "first" ("Tiếp nhận"): motcua:sendBack on a step whose path leads to the joining gateway "split"; a send-back from it is refused at run time',
    ]);
  });
});
