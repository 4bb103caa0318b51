import { AppError } from '../../errors.ts';
import { checkFeel } from '../feel.ts';
import { FEEL_LANGUAGE, isFeel, pathProblem } from '../expressions.ts';
import { attr, label, str, type ModdleElement } from './moddle.ts';

function refuse(el: ModdleElement, what: string, text: string, problem: string): never {
  throw new AppError('bpmn.invalid_expression', `${label(el)}: ${what} ${JSON.stringify(text)}: ${problem}`, {
    elementId: el.id,
    expression: text,
  });
}

/**
 * A value that may be a literal, a `${path}` (alone or inside text) or a `=FEEL` expression.
 * Refuses JUEL `#{…}`, `${…}` with operators or calls, and FEEL that feel.ts cannot bound.
 */
export function checkValue(el: ModdleElement, what: string, text: unknown): void {
  if (typeof text !== 'string') return;
  if (isFeel(text)) {
    const { problem } = checkFeel(text.trimStart().slice(1));
    if (problem) refuse(el, what, text, problem);
    return;
  }
  if (text.includes('#{')) refuse(el, what, text, 'JUEL #{…} is not supported: use ${path} or =FEEL');
  let rest = text;
  for (let i = rest.indexOf('${'); i >= 0; i = rest.indexOf('${')) {
    const end = rest.indexOf('}', i);
    if (end < 0) refuse(el, what, text, 'unclosed ${');
    const problem = pathProblem(rest.slice(i + 2, end));
    if (problem) refuse(el, what, text, problem);
    rest = rest.slice(end + 1);
  }
}

/** Something evaluated for truth: only a whole `${path}` or `=FEEL` (a literal string is always true). */
export function checkCondition(el: ModdleElement, what: string, text: unknown): void {
  const body = typeof text === 'string' ? text.trim() : '';
  if (!body) refuse(el, what, String(text ?? ''), 'empty condition');
  if (!isFeel(body) && !/^\$\{[^}]*\}$/.test(body)) {
    refuse(el, what, body, 'a condition must be ${path} or =FEEL (e.g. =amount > 100); other text would always count as true');
  }
  checkValue(el, what, body);
}

/**
 * A condition as BPMN writes it (`bpmn:FormalExpression` with optional `language`): FEEL when
 * the language says so, otherwise `${path}` / `=FEEL`. Any other language is code: refused.
 */
export function checkFormalCondition(el: ModdleElement, what: string, expr: ModdleElement | undefined): void {
  if (!expr) return;
  const language = str(expr.language);
  const body = typeof expr.body === 'string' ? expr.body : '';
  if (str(attr(expr, 'camunda:resource'))) {
    throw new AppError(
      'bpmn.script_refused',
      `${label(el)}: ${what} loads an external script resource; only FEEL and \${path} conditions run`,
      { elementId: el.id },
    );
  }
  if (language && !FEEL_LANGUAGE.test(language)) {
    throw new AppError(
      'bpmn.script_refused',
      `${label(el)}: ${what} is written in ${language}; only FEEL and \${path} conditions run (e.g. =amount > 100)`,
      { elementId: el.id, language },
    );
  }
  if (language) {
    const text = body.trim().replace(/^=/, '');
    if (!text) refuse(el, what, body, 'empty condition');
    const { problem } = checkFeel(text);
    if (problem) refuse(el, what, body, problem);
    return;
  }
  checkCondition(el, what, body);
}

/** The body of an optional `bpmn:FormalExpression` child as a value. */
export function formalBody(expr: unknown): string | undefined {
  const body = (expr as { body?: unknown } | undefined)?.body;
  return typeof body === 'string' ? body : undefined;
}
