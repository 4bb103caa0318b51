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
 * Checks a BPMN file before any parser sees it: its size, no DOCTYPE or ENTITY declaration
 * (no entity expansion, no external resources), and XML well-formedness with the line and
 * column of the first fault. Returns the text without a byte-order mark.
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
    throw new AppError('bpmn.unsafe_xml', `The file declares ${decl[1].toUpperCase()} at line ${line}, column ${column}: DOCTYPE and ENTITY declarations are refused`, { line, column });
  }
  checkWellFormed(text);
  return text;
}

interface Fault {
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
  let fault: Fault | null = null;
  const fail = (message: string, getContext: () => { line: number; column: number }) => {
    if (fault) return;
    const ctx = getContext();
    fault = { message, offset: offsetOf(text, ctx.line, ctx.column) };
  };
  parser.on('openTag', (name: string, getAttrs: () => Record<string, string>, _decode: unknown, selfClosing: boolean, getContext: () => { line: number; column: number }) => {
    getAttrs();
    if (fault) return;
    if (!selfClosing) open.push(name);
    if (!/^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?$/.test(name)) fail(`invalid element name <${name}>`, getContext);
  });
  parser.on('closeTag', (_name: string, _decode: unknown, selfClosing: boolean) => {
    if (!selfClosing) open.pop();
  });
  parser.on('warn', (warning: Error, getContext: () => { line: number; column: number }) => fail(warning.message, getContext));
  parser.on('error', (err: Error, getContext: () => { line: number; column: number }) => {
    if (err.message === 'unexpected end of file') {
      if (!fault) fault = { message: `unexpected end of file: <${open[open.length - 1] ?? '?'}> is not closed`, offset: text.trimEnd().length };
      return;
    }
    if (err.message === 'closing tag mismatch') return fail(`closing tag mismatch: expected </${open[open.length - 1] ?? '?'}>`, getContext);
    fail(err.message, getContext);
  });
  parser.parse(text);
  const found = fault as Fault | null;
  if (found) {
    const { line, column } = position(text, found.offset);
    throw new AppError('bpmn.malformed', `Malformed XML at line ${line}, column ${column}: ${found.message}`, { line, column });
  }
}
