import { PLACEHOLDER } from '../catalogue/schema.ts';
import { AppError } from '../errors.ts';
import { isRole } from '../org/roles.ts';
import type { PackManifest, PlaceholderMapping } from './manifest.ts';

/** Every placeholder token in a text (JSON or BPMN), sorted. */
export function tokensIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[0]))].sort();
}

/** Placeholders a pack needs: the ones its manifest declares (a used but undeclared token refuses the pack, checks.ts). */
export function neededPlaceholders(manifest: PackManifest): string[] {
  return manifest.placeholders.map((p) => p.token).sort();
}

/** What is wrong with the value a token maps to, or null (fees: whole đồng; roles: a role here; agencies: a unit code). */
function wrongKind(token: string, value: unknown): string | null {
  const kind = token.slice(2, token.indexOf(':'));
  if (kind === 'fee' && typeof value !== 'number') return `must map to an amount in đồng (a whole number), not "${String(value)}"`;
  if (kind === 'role' && (typeof value !== 'string' || !isRole(value)))
    return `must map to a role of this platform, not "${String(value)}"`;
  if (kind === 'agency' && typeof value !== 'string') return `must map to a unit code, not ${String(value)}`;
  return null;
}

/**
 * Refuses a mapping that leaves a needed token unmapped or maps it to the wrong kind of value,
 * naming every such token at once: `pack.unmapped_placeholder` when some are missing (its
 * issues list the wrongly mapped ones too), else `pack.mapping_invalid`.
 */
export function checkMapping(needed: string[], mapping: PlaceholderMapping): void {
  const missing = needed.filter((t) => !Object.hasOwn(mapping, t));
  const wrong = needed
    .filter((t) => Object.hasOwn(mapping, t))
    .flatMap((t) => {
      const why = wrongKind(t, mapping[t]);
      return why ? [{ path: t, message: why }] : [];
    });
  const issues = [...missing.map((t) => ({ path: t, message: 'not mapped' })), ...wrong];
  const shown = (list: { path: string; message: string }[]) => list.map((i) => `${i.path} ${i.message}`).join('; ');
  if (missing.length) {
    throw new AppError(
      'pack.unmapped_placeholder',
      `Map these placeholders before importing: ${missing.join(', ')}${wrong.length ? `; also ${shown(wrong)}` : ''}`,
      { placeholders: missing, issues },
    );
  }
  if (wrong.length)
    throw new AppError('pack.mapping_invalid', shown(wrong), { ...(wrong.length === 1 ? { placeholder: wrong[0].path } : {}), issues });
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Replaces tokens in BPMN text (attribute values and text), XML-escaping each value. */
export function resolveXml(xml: string, mapping: PlaceholderMapping): string {
  return xml.replace(PLACEHOLDER, (token) => xmlEscape(String(mapping[token])));
}

/**
 * Replaces tokens in every string of a JSON value: a string that is exactly one token takes the
 * mapped value as is (a fee amount becomes a number); tokens inside longer text become text.
 */
export function resolveJson(value: unknown, mapping: PlaceholderMapping): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{(agency|role|fee):[a-z0-9]+(?:-[a-z0-9]+)*\}\}$/.test(value);
    if (whole) return mapping[value];
    return value.replace(PLACEHOLDER, (token) => String(mapping[token]));
  }
  if (Array.isArray(value)) return value.map((v) => resolveJson(v, mapping));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveJson(v, mapping)]));
  return value;
}
