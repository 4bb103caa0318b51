import Handlebars from 'handlebars';
import { AppError } from '../../errors.ts';
import { formHelpers } from './helpers.ts';

/**
 * What a form template may contain, checked on its syntax tree before it is compiled. A template
 * from outside the code (a procedure pack's replacement) may print fields (escaped), branch and
 * loop with `if`, `unless`, `each`, `with`, and call our helpers (helpers.ts). It may not print
 * unescaped (`{{{x}}}`, `{{& x}}`), include partials, use decorators, call `lookup` or `log`, or
 * name a property that reaches JavaScript's object machinery (`constructor`, `__proto__`, …).
 * The templates shipped with the code follow the same rules, except that they may include the
 * shipped partials (the national heading, signature blocks).
 */

const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
const FORBIDDEN_NAMES = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toString',
  'toLocaleString',
  'valueOf',
]);
export const MAX_TEMPLATE_CHARS = 200_000;

export interface SafetyRules {
  /** Partials the template may include (only shipped templates get any). */
  partials: ReadonlySet<string>;
}

type Node = hbs.AST.Node & Record<string, unknown>;

/** Throws `dossier.form_template_unsafe`, naming the first construct refused and where it is. */
export function assertSafeTemplate(text: string, origin: string, rules: SafetyRules): void {
  const refuse = (what: string, node?: hbs.AST.Node): never => {
    const at = node?.loc ? ` (line ${node.loc.start.line}, column ${node.loc.start.column + 1})` : '';
    throw new AppError('dossier.form_template_unsafe', `Form template ${origin}: ${what}${at}`, { origin });
  };
  if (text.length > MAX_TEMPLATE_CHARS) refuse(`longer than ${MAX_TEMPLATE_CHARS} characters`);
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(text);
  } catch (e) {
    return refuse(`not a valid handlebars template: ${(e as Error).message.split('\n')[0]}`);
  }

  const path = (p: hbs.AST.Expression) => {
    if (p.type === 'PathExpression') {
      const pe = p as hbs.AST.PathExpression;
      const bad = pe.parts.find((part) => FORBIDDEN_NAMES.has(part));
      if (bad !== undefined) refuse(`"${pe.original}" reaches "${bad}", which no template may name`, p);
    } else if (p.type === 'SubExpression') {
      call(p as hbs.AST.SubExpression, true);
    } else if (p.type === 'StringLiteral' && FORBIDDEN_NAMES.has((p as hbs.AST.StringLiteral).value)) {
      refuse(`the string "${(p as hbs.AST.StringLiteral).value}" names what no template may name`, p);
    }
  };
  const helperName = (p: hbs.AST.Expression) => (p.type === 'PathExpression' ? (p as hbs.AST.PathExpression).original : '');
  const call = (
    node: { path: hbs.AST.Expression; params: hbs.AST.Expression[]; hash?: hbs.AST.Hash; loc?: hbs.AST.SourceLocation },
    helper: boolean,
  ) => {
    if (helper) {
      const name = helperName(node.path);
      if (!(name in formHelpers) && !BLOCK_HELPERS.has(name)) {
        refuse(
          `"${name || 'a computed helper'}" is not a helper forms may call (${[...BLOCK_HELPERS, ...Object.keys(formHelpers)].join(', ')})`,
          node as unknown as hbs.AST.Node,
        );
      }
    } else {
      path(node.path);
    }
    node.params.forEach(path);
    node.hash?.pairs.forEach((pair) => path(pair.value));
  };
  const visit = (node: Node | null | undefined): void => {
    if (!node) return;
    switch (node.type) {
      case 'Program':
        (node as unknown as hbs.AST.Program).body.forEach((n) => visit(n as Node));
        return;
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement': {
        const m = node as unknown as hbs.AST.MustacheStatement;
        if (!m.escaped) refuse('unescaped output ({{{…}}} or {{& …}}) is not allowed: every value is printed escaped', node);
        call(m, m.params.length > 0 || m.hash !== undefined);
        return;
      }
      case 'BlockStatement': {
        const b = node as unknown as hbs.AST.BlockStatement;
        call(b, true);
        visit(b.program as unknown as Node);
        visit(b.inverse as unknown as Node);
        return;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const name = helperName((node as unknown as hbs.AST.PartialStatement).name as hbs.AST.Expression);
        if (!rules.partials.has(name)) {
          refuse(
            rules.partials.size
              ? `partial "${name}" is not one of the shipped partials`
              : 'partials ({{> …}}) are not allowed in a template from outside the code',
            node,
          );
        }
        const p = node as unknown as hbs.AST.PartialStatement;
        p.params.forEach(path);
        p.hash?.pairs.forEach((pair) => path(pair.value));
        if (node.type === 'PartialBlockStatement') visit((node as unknown as hbs.AST.PartialBlockStatement).program as unknown as Node);
        return;
      }
      default:
        // Decorators ({{* …}}, {{#* inline}}) and anything a later handlebars adds.
        refuse(`${node.type.replace(/Statement$|Block$/, '').toLowerCase() || 'this construct'} is not allowed in a form template`, node);
    }
  };
  visit(ast as unknown as Node);
}
