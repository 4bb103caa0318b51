// The benchmark diagram: five plain user tasks in a row (no candidates: open to anyone with
// task.work in the instance's unit, which the admin holds at the root).
export const PROCESS_KEY = 'bench-five';
export const TASKS = 5;

const steps = ['tiep_nhan', 'kiem_tra', 'tham_dinh', 'phe_duyet', 'tra_ket_qua'];

export const FIVE_TASKS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="bench-five-defs" targetNamespace="https://motcua.dev/bench">
  <process id="${PROCESS_KEY}" name="Bench five tasks" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f0" sourceRef="start" targetRef="${steps[0]}" />
${steps
  .map(
    (s, i) =>
      `    <userTask id="${s}" name="Step ${i + 1}" />\n    <sequenceFlow id="f${i + 1}" sourceRef="${s}" targetRef="${steps[i + 1] ?? 'end'}" />`,
  )
  .join('\n')}
    <endEvent id="end" />
  </process>
</definitions>
`;
