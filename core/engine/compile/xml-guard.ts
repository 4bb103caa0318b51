import { Parser } from 'saxen';
import { AppError } from '../../errors.ts';

/** 1-based line and column (in UTF-16 code units, as editors count) of a character offset. */
export function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

const DECLARATION = /<!\s*(DOCTYPE|ENTITY)\b/i;

/**
 * Nesting bounds, counted in the SAX pass before bpmn-moddle, the support check or the
 * serialiser (all recursive) see the diagram: thousands of nested sub-processes overflowed the
 * stack, a thousand took seconds. Sub-processes (and transactions, ad-hoc sub-processes) may be
 * nested MAX_SCOPE_DEPTH deep; any element MAX_ELEMENT_DEPTH deep, which leaves room for the
 * extension elements and diagram interchange below the deepest sub-process.
 */
export const MAX_SCOPE_DEPTH = 50;
export const MAX_ELEMENT_DEPTH = 100;
const SCOPE_ELEMENTS = new Set(['subProcess', 'adHocSubProcess', 'transaction']);
const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/**
 * Checks a BPMN file before any parser sees it: its size, no DOCTYPE or ENTITY declaration
 * (no entity expansion, no external resources), XML well-formedness and bounded nesting
 * (`bpmn.too_deep`), with the line and column of the first fault. Returns the text without a byte-order mark.
 */
export function guardXml(xml: string, maxBytes: number): string {
  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > maxBytes) {
    throw new AppError('request.too_large', `The BPMN file is ${bytes} bytes; the limit is ${maxBytes} bytes`, { bytes, maxBytes });
  }
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  const decl = DECLARATION.exec(text);
  if (decl) {
    const { line, column } = position(text, decl.index);
    throw new AppError(
      'bpmn.unsafe_xml',
      `The file declares ${decl[1].toUpperCase()} at line ${line}, column ${column}: DOCTYPE and ENTITY declarations are refused`,
      { line, column },
    );
  }
  checkWellFormed(text);
  return text;
}

interface Fault {
  code: 'bpmn.malformed' | 'bpmn.too_deep';
  message: string;
  offset: number;
}

/** Offset of the line/column pair saxen reports (0-based line, 0-based column). */
function offsetOf(text: string, line0: number, column0: number): number {
  let line = 0;
  let i = 0;
  while (line < line0 && i < text.length) {
    const c = text.charCodeAt(i);
    i++;
    if (c === 10 || (c === 13 && text.charCodeAt(i) !== 10)) line++;
  }
  return i + column0;
}

function checkWellFormed(text: string): void {
  const parser = new Parser();
  const open: string[] = [];
  let scopes = 0;
  let fault: Fault | null = null;
  const fail = (message: string, getContext: () => { line: number; column: number }, code: Fault['code'] = 'bpmn.malformed') => {
    if (fault) return;
    const ctx = getContext();
    fault = { code, message, offset: offsetOf(text, ctx.line, ctx.column) };
  };
  parser.on(
    'openTag',
    (
      name: string,
      getAttrs: () => Record<string, string>,
      _decode: unknown,
      selfClosing: boolean,
      getContext: () => { line: number; column: number },
    ) => {
      getAttrs();
      if (fault) return;
      if (!/^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?$/.test(name)) return fail(`invalid element name <${name}>`, getContext);
      const scope = SCOPE_ELEMENTS.has(localName(name));
      if (open.length + 1 > MAX_ELEMENT_DEPTH) {
        fail(`<${name}> is nested more than ${MAX_ELEMENT_DEPTH} elements deep`, getContext, 'bpmn.too_deep');
      } else if (scope && scopes + 1 > MAX_SCOPE_DEPTH) {
        fail(`<${name}> nests sub-processes more than ${MAX_SCOPE_DEPTH} levels deep`, getContext, 'bpmn.too_deep');
      }
      if (fault) return parser.stop();
      if (!selfClosing) {
        open.push(name);
        if (scope) scopes++;
      }
    },
  );
  parser.on('closeTag', (name: string, _decode: unknown, selfClosing: boolean) => {
    if (selfClosing) return;
    open.pop();
    if (SCOPE_ELEMENTS.has(localName(name))) scopes--;
  });
  parser.on('warn', (warning: Error, getContext: () => { line: number; column: number }) => fail(warning.message, getContext));
  parser.on('error', (err: Error, getContext: () => { line: number; column: number }) => {
    if (err.message === 'unexpected end of file') {
      if (!fault)
        fault = {
          code: 'bpmn.malformed',
          message: `unexpected end of file: <${open[open.length - 1] ?? '?'}> is not closed`,
          offset: text.trimEnd().length,
        };
      return;
    }
    if (err.message === 'closing tag mismatch')
      return fail(`closing tag mismatch: expected </${open[open.length - 1] ?? '?'}>`, getContext);
    fail(err.message, getContext);
  });
  parser.parse(text);
  const found = fault as Fault | null;
  if (found) {
    const { line, column } = position(text, found.offset);
    if (found.code === 'bpmn.too_deep') {
      throw new AppError('bpmn.too_deep', `At line ${line}, column ${column}: ${found.message}`, {
        line,
        column,
        maxScopeDepth: MAX_SCOPE_DEPTH,
        maxElementDepth: MAX_ELEMENT_DEPTH,
      });
    }
    throw new AppError('bpmn.malformed', `Malformed XML at line ${line}, column ${column}: ${found.message}`, { line, column });
  }
}
