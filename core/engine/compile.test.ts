import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { compileBpmn, type CompileOptions } from './compile.ts';
import { runRaw } from '../../tests/support/raw-engine.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const options: CompileOptions = { maxBytes: 1_000_000, hasTopic: (topic) => topic === 'notify.send-sms' };

async function refusal(xml: string, opts: CompileOptions = options): Promise<AppError> {
  try {
    await compileBpmn(xml, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected the file to be refused');
}

const only = async (xml: string) => (await compileBpmn(xml, options)).processes[0];

describe('compileBpmn: safe input', () => {
  it('Given a DOCTYPE declaration, when compiled, then it is refused before parsing', async () => {
    const xml = fixture('routing.bpmn').replace('?>', '?>\n<!DOCTYPE definitions SYSTEM "file:///etc/passwd">');
    const err = await refusal(xml);
    expect(err).toMatchObject({ code: 'bpmn.unsafe_xml', status: 400 });
    expect(err.message).toContain('line 2, column 1');
  });

  it('Given an ENTITY declaration (billion laughs), when compiled, then it is refused', async () => {
    const xml = `<?xml version="1.0"?>\n<!ENTITY lol "lol"><definitions>&lol;</definitions>`;
    expect(await refusal(xml)).toMatchObject({ code: 'bpmn.unsafe_xml' });
  });

  it('Given a file over maxBytes, when compiled, then it is refused as too large (413)', async () => {
    const err = await refusal(fixture('routing.bpmn'), { ...options, maxBytes: 1_000 });
    expect(err).toMatchObject({ code: 'request.too_large', status: 413 });
  });

  it('Given a mismatched closing tag, when compiled, then the message names its line and column', async () => {
    const xml = fixture('routing.bpmn').replace('<bpmn:endEvent id="End_Big" />', '<bpmn:endEvent id="End_Big"></bpmn:startEvent>');
    const lines = xml.split('\n');
    const line = lines.findIndex((l) => l.includes('</bpmn:startEvent>')) + 1;
    const column = lines[line - 1].indexOf('</bpmn:startEvent>') + 1;
    const err = await refusal(xml);
    expect(err).toMatchObject({ code: 'bpmn.malformed', status: 400, extra: { line, column } });
    expect(err.message).toContain(`line ${line}, column ${column}`);
  });

  it('Given an unclosed attribute quote, when compiled, then the fault is located', async () => {
    const err = await refusal(
      '<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">\n  <bpmn:process id=p1 />\n</bpmn:definitions>',
    );
    expect(err).toMatchObject({ code: 'bpmn.malformed', extra: { line: 3 } });
  });

  it('Given well-formed XML that is not BPMN, when compiled, then it is malformed BPMN', async () => {
    expect(await refusal('<html><body/></html>')).toMatchObject({ code: 'bpmn.malformed' });
  });
});

describe('compileBpmn: no diagram code runs', () => {
  it('Given a script task, when compiled, then it is refused naming the element', async () => {
    const err = await refusal(fixture('script-task.bpmn'));
    expect(err).toMatchObject({ code: 'bpmn.script_refused', extra: { elementId: 'Task_Script' } });
    expect(err.message).toContain('"Task_Script"');
  });

  it('Given a JavaScript condition, when compiled, then it is refused naming the flow', async () => {
    const err = await refusal(fixture('js-condition.bpmn'));
    expect(err).toMatchObject({ code: 'bpmn.script_refused', extra: { elementId: 'Flow_Js' } });
    expect(err.message).toContain('"Flow_Js"');
  });

  it('Given a condition that is plain text (always true for the engine), when compiled, then it is refused', async () => {
    const err = await refusal(fixture('routing.bpmn').replace('=amount &gt; 100', 'amount &gt; 100'));
    expect(err).toMatchObject({ code: 'bpmn.invalid_expression', extra: { elementId: 'Flow_Big' } });
  });

  it('Given ${path}, =FEEL and language="feel" conditions, when run, then each routes the token', async () => {
    const proc = await only(fixture('routing.bpmn'));
    const endOf = async (variables: Record<string, unknown>) => (await runRaw(proc, variables)).ended.at(-1);
    expect(await endOf({ amount: 5000 })).toBe('End_Huge');
    expect(await endOf({ amount: 150 })).toBe('End_Big');
    expect(await endOf({ amount: 50, express: true })).toBe('End_Express');
    expect(await endOf({ amount: 50 })).toBe('End_Normal');
  });

  it('Given ${environment.services.fn()}, when compiled, then it is refused as not a plain path', async () => {
    const err = await refusal(fixture('services-call.bpmn'));
    expect(err).toMatchObject({ code: 'bpmn.invalid_expression', extra: { elementId: 'Flow_Call' } });
  });

  it('Given a FEEL range of a billion steps, when compiled, then it is refused', async () => {
    const err = await refusal(fixture('runaway-range.bpmn'));
    expect(err).toMatchObject({ code: 'bpmn.invalid_expression', extra: { elementId: 'Flow_Runaway' } });
    expect(err.message).toContain('1..1000000000');
  });

  it('Given FEEL that iterates large data, when run, then the budget stops it quickly with an error', async () => {
    const proc = await only(fixture('runaway-data.bpmn'));
    const started = Date.now();
    const run = await runRaw(proc, { items: Array.from({ length: 5_000 }, (_, i) => i) });
    expect(run.outcome).toMatch(/budget/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('Given a multi-instance over a collection, when it is larger than the ceiling, then no iteration starts', async () => {
    const xml = fixture('service-topic.bpmn').replace(
      'camunda:topic="notify.send-sms" />',
      'camunda:topic="notify.send-sms"><bpmn:multiInstanceLoopCharacteristics camunda:collection="=items" /></bpmn:serviceTask>',
    );
    const proc = await only(xml);
    expect(await runRaw(proc, { items: [1, 2, 3] })).toMatchObject({ outcome: 'end', waited: ['Task_Sms', 'Task_Sms', 'Task_Sms'] });
    expect(await runRaw(proc, { items: Array.from({ length: 2_000 }, (_, i) => i) })).toMatchObject({
      outcome: expect.stringMatching(/exceeds the limit/),
      waited: [],
    });
  });

  it('Given an execution listener, a script mapping or a delegate class, when compiled, then each is refused', async () => {
    const base = fixture('service-topic.bpmn');
    const listener = base.replace(
      '<bpmn:startEvent id="Start" />',
      '<bpmn:startEvent id="Start"><bpmn:extensionElements><camunda:executionListener event="start" class="org.example.Hook" /></bpmn:extensionElements></bpmn:startEvent>',
    );
    const script = base.replace(
      'camunda:topic="notify.send-sms" />',
      'camunda:topic="notify.send-sms"><bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="x"><camunda:script scriptFormat="groovy">1</camunda:script></camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements></bpmn:serviceTask>',
    );
    const delegate = base.replace('camunda:type="external" camunda:topic="notify.send-sms"', 'camunda:class="org.example.Sms"');
    expect(await refusal(listener)).toMatchObject({ code: 'bpmn.script_refused', extra: { elementId: 'Start' } });
    expect(await refusal(script)).toMatchObject({ code: 'bpmn.script_refused', extra: { elementId: 'Task_Sms' } });
    expect(await refusal(delegate)).toMatchObject({ code: 'bpmn.script_refused', extra: { elementId: 'Task_Sms' } });
  });

  it('Given an external topic no plugin handles, when compiled, then it is refused naming element and topic', async () => {
    const err = await refusal(fixture('service-topic.bpmn'), { ...options, hasTopic: () => false });
    expect(err).toMatchObject({ code: 'bpmn.unknown_topic', extra: { elementId: 'Task_Sms', topic: 'notify.send-sms' } });
    expect(err.message).toContain('"Task_Sms"');
    expect(err.message).toContain('notify.send-sms');
  });

  it('Given a service task without an external topic, when compiled, then it is refused with what to set', async () => {
    const err = await refusal(fixture('service-topic.bpmn').replace(' camunda:type="external" camunda:topic="notify.send-sms"', ''));
    expect(err).toMatchObject({ code: 'bpmn.missing_topic', extra: { elementId: 'Task_Sms' } });
    expect(err.message).toContain('camunda:topic');
  });

  it('Given a known topic, when run, then the service task waits for the runtime like a user task', async () => {
    const run = await runRaw(await only(fixture('service-topic.bpmn')));
    expect(run).toMatchObject({ outcome: 'end', waited: ['Task_Sms'] });
  });
});

describe('compileBpmn: diagrams as people draw them', () => {
  it('Given a collapsed Citizen pool, message flows, lanes and a bare performer, when compiled, then both pools deploy with warnings', async () => {
    const { processes, warnings } = await compileBpmn(fixture('citizen-pool.bpmn'), options);
    expect(processes.map((p) => p.key)).toEqual(['cap-phep-xay-dung', 'tham-dinh-so-xd']);
    expect(warnings.join('\n')).toMatch(/Collapsed pool "Công dân" \(Participant_CongDan\).*Flow_NopHoSo, Flow_TraKetQua, Flow_TuChoi/);
    expect(warnings.join('\n')).toContain('Task_PheDuyet');
    const agency = processes[0];
    expect(agency.activities.Task_TiepNhan).toMatchObject({
      lane: { id: 'Lane_TiepNhan', name: 'Tiếp nhận' },
      userTask: { candidateGroups: ['tiep_nhan'] },
    });
    expect(agency.activities.Start_NhanHoSo).toMatchObject({ message: 'nop-ho-so', step: { statusCode: 2 } });
    expect(JSON.parse(agency.context).messageFlows).toEqual([]);
  });

  it('Given the deployed agency pool, when run, then it reaches the end the FEEL decision picks', async () => {
    const [agency, partner] = (await compileBpmn(fixture('citizen-pool.bpmn'), options)).processes;
    expect((await runRaw(agency, { approved: true })).ended).toContain('End_TraKetQua');
    expect((await runRaw(agency, { approved: false })).ended).toContain('End_TuChoi');
    expect((await runRaw(partner)).outcome).toBe('end');
  });

  it('Given no process marked executable, when compiled, then each drawn process deploys with a warning', async () => {
    const { processes, warnings } = await compileBpmn(
      fixture('routing.bpmn').replace('isExecutable="true"', 'isExecutable="false"'),
      options,
    );
    expect(processes.map((p) => p.key)).toEqual(['routing']);
    expect(warnings[0]).toMatch(/No process is marked executable/);
  });

  it('Given a loop of plain tasks with no wait state, when compiled, then it is refused', async () => {
    const xml = fixture('routing.bpmn')
      .replace('<bpmn:endEvent id="End_Normal" />', '<bpmn:task id="End_Normal" />')
      .replace('</bpmn:process>', '<bpmn:sequenceFlow id="Flow_Back" sourceRef="End_Normal" targetRef="Gateway" /></bpmn:process>');
    const err = await refusal(xml);
    expect(err.code).toBe('bpmn.unbounded_loop');
    expect(err.message).toMatch(/Gateway → End_Normal → Gateway|End_Normal → Gateway → End_Normal/);
  });

  it('Given an element the engine cannot run, when compiled, then it is refused naming id and type', async () => {
    const err = await refusal(fixture('routing.bpmn').replace('<bpmn:exclusiveGateway id="Gateway"', '<bpmn:complexGateway id="Gateway"'));
    expect(err).toMatchObject({ code: 'bpmn.unsupported', extra: { elementId: 'Gateway', type: 'bpmn:ComplexGateway' } });
  });
});

describe('compileBpmn: Camunda and motcua attributes', () => {
  it('Given Camunda 7 and motcua attributes, when compiled, then the activity model carries them', async () => {
    const { activities } = await only(fixture('attributes.bpmn'));
    expect(activities.Task_ThamDinh).toMatchObject({
      userTask: {
        assignee: '${environment.variables.officer}',
        candidateGroups: ['chuyen_vien', 'lanh_dao'],
        candidateUsers: ['an', 'binh'],
        dueDate: '=dueAt',
        formKey: 'motcua:forms/tham-dinh',
      },
      step: { unit: '=dossier.unitCode', budgetHours: 8.5, statusCode: 4, sendBack: true },
      io: {
        inputs: [
          { name: 'hoSo', value: '${environment.variables.dossier}' },
          { name: 'nguoiNhan', value: ['an', '=dossier.owner'] },
          { name: 'tieuDe', value: { vi: 'Thẩm định hồ sơ', code: '${environment.variables.dossier.code}' } },
        ],
        outputs: [{ name: 'ketQua', value: '=result.approved' }],
      },
    });
    expect(activities.Task_Sms.serviceTask).toEqual({ topic: 'notify.send-sms', async: true, retries: 5, retryCycle: 'R5/PT10M' });
    expect(activities.Call_Thue).toMatchObject({
      step: { unit: 'CQT-01' },
      callActivity: {
        calledElement: 'lien-thong-thue',
        binding: 'version',
        version: 2,
        in: [{ source: 'dossierId', target: 'hoSoId' }, { variables: 'all' }],
        out: [{ sourceExpression: '=taxAmount * 1000', target: 'tax' }],
      },
    });
    expect(activities.Task_NhanThue.message).toBe('ket-qua-thue');
    expect(activities.End.step).toMatchObject({ statusCode: 10 });
  });

  it('Given a status code outside 1–10, when compiled, then the attribute is refused', async () => {
    const err = await refusal(fixture('attributes.bpmn').replace('motcua:statusCode="4"', 'motcua:statusCode="11"'));
    expect(err).toMatchObject({ code: 'bpmn.invalid_attribute', extra: { elementId: 'Task_ThamDinh' } });
  });

  it('Given calledElementBinding="version" without a version, when compiled, then it is refused', async () => {
    const err = await refusal(fixture('attributes.bpmn').replace(' camunda:calledElementVersion="2"', ''));
    expect(err).toMatchObject({ code: 'bpmn.invalid_attribute', extra: { elementId: 'Call_Thue' } });
  });
});

describe('compileBpmn: versions', () => {
  it('Given the same XML twice, when compiled, then the hashes are equal', async () => {
    const a = await compileBpmn(fixture('citizen-pool.bpmn'), options);
    const b = await compileBpmn(fixture('citizen-pool.bpmn'), options);
    expect(b.processes.map((p) => p.hash)).toEqual(a.processes.map((p) => p.hash));
  });

  it('Given a renamed task, when compiled, then only that process gets a new hash', async () => {
    const before = await compileBpmn(fixture('citizen-pool.bpmn'), options);
    const after = await compileBpmn(fixture('citizen-pool.bpmn').replace('name="Phê duyệt"', 'name="Ký duyệt"'), options);
    expect(after.processes[0].hash).not.toBe(before.processes[0].hash);
    expect(after.processes[1].hash).toBe(before.processes[1].hash);
  });

  it('Given only the layout moved, when compiled, then the hashes are unchanged', async () => {
    const before = await compileBpmn(fixture('citizen-pool.bpmn'), options);
    const after = await compileBpmn(fixture('citizen-pool.bpmn').replace('x="320" y="170"', 'x="340" y="180"'), options);
    expect(after.processes.map((p) => p.hash)).toEqual(before.processes.map((p) => p.hash));
  });
});
