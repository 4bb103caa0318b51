import { describe, expect, it } from 'vitest';
import { budgetPaths, budgetViolations, clockedHours, statutoryHours } from './budget-paths.ts';

const NS =
  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:motcua="https://motcua.dev/schema/bpmn/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="t"';
const task = (id: string, hours: number, status = 4) =>
  `<bpmn:userTask id="${id}" motcua:budgetHours="${hours}" motcua:statusCode="${status}" />`;
const flow = (from: string, to: string) => `<bpmn:sequenceFlow id="F_${from}_${to}" sourceRef="${from}" targetRef="${to}" />`;
const defs = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS} id="D">${body}</bpmn:definitions>`;

/** Receipt 2 h → processing 4 h ⇄ supplement 1 h (status 5) → approval 2 h, or refusal. */
const withSupplement = defs(`<bpmn:process id="p" isExecutable="true">
  <bpmn:startEvent id="S" />${task('A', 2, 2)}${task('B', 4)}<bpmn:exclusiveGateway id="G" />${task('Sup', 1, 5)}${task('C', 2)}<bpmn:endEvent id="E" />
  ${flow('S', 'A')}${flow('A', 'B')}${flow('B', 'G')}${flow('G', 'Sup')}${flow('Sup', 'B')}${flow('G', 'C')}${flow('C', 'E')}
</bpmn:process>`);

describe('budget paths', () => {
  it('walks every path; a loop is taken once', async () => {
    const paths = await budgetPaths(withSupplement, 'p');
    expect(paths.map((p) => p.nodes.join(' '))).toEqual(['S A B G Sup B G C E', 'S A B G C E']);
  });

  it('counts the clock by the supplement policy: restart after the last supplement, pause counts each step once, continue counts everything', async () => {
    const [loop, straight] = await budgetPaths(withSupplement, 'p');
    expect(clockedHours(straight, 'restart')).toBe(8);
    expect(clockedHours(loop, 'restart')).toBe(6);
    expect(clockedHours(loop, 'pause_extend')).toBe(8);
    expect(clockedHours(loop, 'continue')).toBe(2 + 4 + 1 + 4 + 2);
  });

  it('a parallel fork gives one path per branch (the longest is the critical path)', async () => {
    const xml = defs(`<bpmn:process id="p" isExecutable="true">
      <bpmn:startEvent id="S" /><bpmn:parallelGateway id="F" />${task('X', 3)}${task('Y', 5)}<bpmn:parallelGateway id="J" />${task('R', 1)}<bpmn:endEvent id="E" />
      ${flow('S', 'F')}${flow('F', 'X')}${flow('F', 'Y')}${flow('X', 'J')}${flow('Y', 'J')}${flow('J', 'R')}${flow('R', 'E')}
    </bpmn:process>`);
    const hours = (await budgetPaths(xml, 'p')).map((p) => clockedHours(p, 'restart'));
    expect(hours).toEqual([4, 6]);
  });

  it('message hops to another process of the file count along the chain, and come back at the catch', async () => {
    const xml = defs(`<bpmn:message id="M1" name="req" /><bpmn:message id="M2" name="res" />
      <bpmn:process id="parent" isExecutable="true">
        <bpmn:startEvent id="S" />${task('A', 2, 2)}
        <bpmn:intermediateThrowEvent id="T"><bpmn:messageEventDefinition messageRef="M1" /></bpmn:intermediateThrowEvent>
        <bpmn:intermediateCatchEvent id="C"><bpmn:messageEventDefinition messageRef="M2" /></bpmn:intermediateCatchEvent>
        ${task('R', 1)}<bpmn:endEvent id="E" />
        ${flow('S', 'A')}${flow('A', 'T')}${flow('T', 'C')}${flow('C', 'R')}${flow('R', 'E')}
      </bpmn:process>
      <bpmn:process id="agency" isExecutable="true">
        <bpmn:startEvent id="S2"><bpmn:messageEventDefinition messageRef="M1" /></bpmn:startEvent>${task('W', 6)}
        <bpmn:endEvent id="E2"><bpmn:messageEventDefinition messageRef="M2" /></bpmn:endEvent>
        ${flow('S2', 'W')}${flow('W', 'E2')}
      </bpmn:process>`);
    const [path] = await budgetPaths(xml, 'parent');
    expect(path.nodes).toEqual(['S', 'A', 'T', 'agency/S2', 'agency/W', 'agency/E2', 'C', 'R', 'E']);
    expect(clockedHours(path, 'restart')).toBe(9);
    const [v] = await budgetViolations(xml, 'parent', 8, 'restart', 'bundle.bpmn');
    expect(v.message).toBe(
      'bundle.bpmn: path S → A → T → agency/S2 → agency/W → agency/E2 → C → R → E takes 9 h > 8 h (steps, supplement policy restart: A 2 + agency/W 6 + R 1)',
    );
    expect(await budgetViolations(xml, 'parent', 9, 'restart')).toEqual([]);
  });

  it('converts statutory times to working hours (1 working day = 8 h; calendar days conservatively)', () => {
    expect(statutoryHours({ value: 3, unit: 'working_days' })).toBe(24);
    expect(statutoryHours({ value: 4, unit: 'working_hours' })).toBe(4);
    expect(statutoryHours({ value: 15, unit: 'calendar_days' })).toBe(80);
  });

  it('refuses an unknown process', async () => {
    await expect(budgetPaths(withSupplement, 'nope')).rejects.toThrow(/no process "nope"/);
  });
});
