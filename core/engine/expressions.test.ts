import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import { describe, expect, it, vi } from 'vitest';
import { engineOptions, FeelOnlyScripts, resolveValue } from './expressions.ts';
import { checkFeel, evaluateFeel } from './feel.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('${path} expressions', () => {
  const services = { fn: vi.fn(() => true) };
  const context = {
    environment: { variables: { dossier: { code: 'HS-1', owners: ['An', 'Bình'] } }, services },
    content: { output: { ok: 1 } },
  };

  it('Given a plain path, when resolved, then it reads variables, indexes and literals', () => {
    expect(resolveValue('${environment.variables.dossier.code}', context)).toBe('HS-1');
    expect(resolveValue('${environment.variables.dossier.owners[1]}', context)).toBe('Bình');
    expect(resolveValue('${environment.variables.dossier.owners[-1]}', context)).toBe('Bình');
    expect(resolveValue("${environment.variables.dossier['code']}", context)).toBe('HS-1');
    expect(resolveValue('Hồ sơ ${environment.variables.dossier.code} (${content.output.ok})', context)).toBe('Hồ sơ HS-1 (1)');
    expect(resolveValue('${true}', context)).toBe(true);
    expect(resolveValue('P3D', context)).toBe('P3D');
  });

  it('Given a bare name, as Camunda Modeler writes it, then it is the process variable, else the activity’s own value', () => {
    const scoped = { ...context, content: { id: 'flow_1', agency: 'DEMO.SXD', output: { ok: 1 } } };
    expect(resolveValue('${dossier.code}', scoped)).toBe('HS-1');
    expect(resolveValue('${dossier.owners[0]}', scoped)).toBe('An');
    // A multi-instance iteration's element variable is in its message content.
    expect(resolveValue('${agency}', scoped)).toBe('DEMO.SXD');
    // A process variable wins over the engine's own content of the same name.
    const shadow = { ...scoped, environment: { ...scoped.environment, variables: { ...scoped.environment.variables, id: 'mine' } } };
    expect(resolveValue('${id}', shadow)).toBe('mine');
    expect(resolveValue('${missing}', scoped)).toBeUndefined();
    // Outside bpmn-elements (input/output mappings, task attributes) the context is the variables.
    expect(resolveValue('${dossier.code}', { dossier: { code: 'HS-2' } })).toBe('HS-2');
  });

  it('Given a call, when resolved, then nothing is called and the expression is refused', () => {
    expect(() => resolveValue('${environment.services.fn()}', context)).toThrow(/not a plain variable path/);
    expect(() => resolveValue('${environment.services.fn(environment)}', context)).toThrow();
    expect(services.fn).not.toHaveBeenCalled();
  });

  it('Given a path to a function or to the prototype chain, when resolved, then nothing comes back', () => {
    expect(resolveValue('${environment.services.fn}', context)).toBeUndefined();
    expect(() => resolveValue('${environment.constructor}', context)).toThrow(/constructor/);
    expect(() => resolveValue('${environment.__proto__}', context)).toThrow();
  });

  it('Given operators inside ${…}, when resolved, then it is refused (use =FEEL)', () => {
    expect(() => resolveValue('${amount > 100}', context)).toThrow(/=FEEL/);
  });
});

describe('FEEL expressions', () => {
  it('Given =FEEL, when resolved, then it evaluates against the process variables', () => {
    const context = { environment: { variables: { amount: 150, risks: ['green', 'red'] } } };
    expect(resolveValue('=amount > 100', context)).toBe(true);
    expect(resolveValue('= some r in risks satisfies r = "red"', context)).toBe(true);
    expect(resolveValue('=date("2025-01-31") + duration("P1D")', context)).toBe('2025-02-01');
  });

  it('Given a user-defined function or deep nesting, when checked, then it is refused', () => {
    expect(checkFeel('{f: function(n) f(n)}.f(1)').problem).toMatch(/user-defined functions/);
    expect(checkFeel('for a in L return for b in L return for c in L return 1').problem).toMatch(/nested/);
    expect(checkFeel('for i in 1..n return i').problem).toMatch(/literals/);
    expect(checkFeel('x in [1..1000000000]').problem).toBeNull();
  });

  it('Given a catastrophic regular expression, when evaluated, then the budget interrupts it', () => {
    const started = Date.now();
    expect(() => evaluateFeel('matches("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "^(a+)+$")', {}, 30)).toThrow(/budget/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('the scripts option (second fence)', () => {
  const scripts = new FeelOnlyScripts();

  it('Given a non-FEEL condition or a script task, when registered, then it throws instead of passing as true', () => {
    expect(() =>
      scripts.register({
        id: 'F',
        type: 'bpmn:SequenceFlow',
        behaviour: { conditionExpression: { language: 'javascript', body: 'next(null, true)' } },
      }),
    ).toThrow(/refused/);
    expect(() => scripts.register({ id: 'S', type: 'bpmn:ScriptTask', behaviour: { scriptFormat: 'javascript', script: '1' } })).toThrow(
      /refused/,
    );
    expect(() =>
      scripts.register({ id: 'C', type: 'bpmn:ConditionalEventDefinition', behaviour: { scriptFormat: 'groovy', script: 'true' } }),
    ).toThrow(/refused/);
    expect(scripts.register({ id: 'P', type: 'bpmn:SequenceFlow', behaviour: { conditionExpression: { body: '=x' } } })).toBeUndefined();
  });

  it('Given a FEEL-language condition, when executed, then it answers from the variables', () => {
    const script = scripts.getScript('feel', {
      id: 'F',
      type: 'bpmn:SequenceFlow',
      behaviour: { conditionExpression: { language: 'FEEL', body: 'amount > 100' } },
    });
    const callback = vi.fn();
    script!.execute({ environment: { variables: { amount: 101 } } }, callback);
    expect(callback).toHaveBeenCalledWith(null, true);
  });

  it('Given a diagram with a JavaScript condition that skipped deploy, when bpmn-engine runs it with these options, then it fails instead of taking the flow', async () => {
    const engine = new Engine({ source: fixture('js-condition.bpmn'), ...engineOptions() });
    const listener = new EventEmitter();
    const ended: string[] = [];
    listener.on('activity.end', (api: { id: string }) => ended.push(api.id));
    const failed = await engine.execute({ listener }).then(
      () =>
        new Promise<boolean>((resolve) => {
          engine.once('error', () => resolve(true));
          engine.once('end', () => resolve(false));
        }),
      () => true,
    );
    expect(failed).toBe(true);
    expect(ended).not.toContain('End_A');
  });
});
