import semver from 'semver';
import { z } from 'zod';
import { AppError } from '../errors.ts';

/** The format string this platform writes and reads (docs/pack-format.md). */
export const PACK_FORMAT = 'motcua-pack/1';

/** Limits every reader enforces while inflating (never trusting the zip's header sizes). */
export interface PackLimits {
  /** Largest zip accepted, in bytes. */
  maxZipBytes: number;
  /** Most entries (manifest and signature included). */
  maxFiles: number;
  /** Largest single uncompressed file. */
  maxFileBytes: number;
  /** Most uncompressed bytes over all entries. */
  maxTotalBytes: number;
}

export const DEFAULT_LIMITS: PackLimits = {
  maxZipBytes: 32 * 1024 * 1024,
  maxFiles: 2000,
  maxFileBytes: 8 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
};

/**
 * Where a file may live in a pack: one folder level, names of letters, digits, dot, dash and
 * underscore, not starting with a dot.
 */
export const PACK_FILE =
  /^(procedures\/[A-Za-z0-9_-][A-Za-z0-9._-]*\.json|diagrams\/[A-Za-z0-9_-][A-Za-z0-9._-]*\.bpmn|forms\/[A-Za-z0-9_-][A-Za-z0-9._-]*|templates\/[A-Za-z0-9_-][A-Za-z0-9._-]*\.hbs|calendars\/[A-Za-z0-9_-][A-Za-z0-9._-]*\.json|statutory-forms\/(?:index\.json|[A-Za-z0-9_-][A-Za-z0-9._-]*\.hbs))$/;
export const MAX_PATH = 200;
export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.sig';

export const packId = z
  .string()
  .min(3)
  .max(100)
  .regex(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/, 'lower-case letters and digits separated by dots or hyphens, e.g. vn.bac-ninh.base');
export const semverString = z
  .string()
  .max(64)
  .refine((v) => semver.valid(v) !== null, 'a semantic version such as 1.2.0');
const semverRange = z
  .string()
  .max(200)
  .refine((v) => semver.validRange(v) !== null, 'a semver range such as >=0.1.0 <1');
export const provinceCode = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9._-]+$/, 'a province code such as 27 or BN');
const instant = z.string().datetime({ offset: true });
const keyId = z.string().regex(/^[0-9a-f]{16}$/, '16 lower-case hex digits');
const placeholderToken = z.string().regex(/^\{\{(agency|role|fee):[a-z0-9]+(?:-[a-z0-9]+)*\}\}$/, 'a placeholder such as {{fee:marriage}}');

export const placeholderDeclaration = z
  .object({ token: placeholderToken, kind: z.enum(['agency', 'role', 'fee']), description: z.string().min(1).max(500) })
  .strict()
  .refine((p) => p.token.startsWith(`{{${p.kind}:`), { message: 'kind must match the token', path: ['kind'] });

export const packRequires = z
  .object({
    /** Platform versions the pack works with (semver range against motcua's version). */
    platform: semverRange.optional(),
    /** Plugin id → semver range. */
    plugins: z.record(z.string().regex(/^[a-z][a-z0-9]{1,31}$/), semverRange).default({}),
    /** Service-task topics the diagrams call. */
    handlers: z.array(z.string().max(200)).max(500).default([]),
  })
  .strict();

export const manifestFile = z
  .object({
    path: z
      .string()
      .max(MAX_PATH)
      .regex(
        PACK_FILE,
        'a path such as procedures/x.json, diagrams/x.bpmn, forms/x, templates/x.hbs, calendars/x.json, statutory-forms/index.json or statutory-forms/x.hbs',
      ),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number().int().nonnegative(),
  })
  .strict();

export const packManifest = z
  .object({
    format: z.literal(PACK_FORMAT),
    id: packId,
    name: z.string().trim().min(1).max(300),
    version: semverString,
    sequence: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    publisher: z.object({ name: z.string().trim().min(1).max(300), province: provinceCode, keyId }).strict(),
    createdAt: instant,
    expiresAt: instant.optional(),
    requires: packRequires.default({ plugins: {}, handlers: [] }),
    files: z.array(manifestFile).max(DEFAULT_LIMITS.maxFiles),
    placeholders: z.array(placeholderDeclaration).max(1000).default([]),
  })
  .strict()
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.files.forEach((f, i) => {
      if (seen.has(f.path)) ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: `${f.path} is listed twice` });
      seen.add(f.path);
    });
    const tokens = new Set<string>();
    m.placeholders.forEach((p, i) => {
      if (tokens.has(p.token))
        ctx.addIssue({ code: 'custom', path: ['placeholders', i, 'token'], message: `${p.token} is declared twice` });
      tokens.add(p.token);
    });
  });

export type PackManifest = z.infer<typeof packManifest>;
export type PackManifestInput = z.input<typeof packManifest>;

/** The source descriptor `pack.json` of a pack source directory (e.g. procedures/base). */
export const packSource = z
  .object({
    id: packId,
    name: z.string().trim().min(1).max(300),
    version: semverString,
    sequence: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    publisher: z.object({ name: z.string().trim().min(1).max(300), province: provinceCode }).strict(),
    placeholders: z.array(placeholderDeclaration).max(1000).default([]),
    requires: packRequires.optional(),
    expiresAt: instant.optional(),
  })
  .strict();

export type PackSource = z.infer<typeof packSource>;

/**
 * The importer's placeholder mapping: token → local value. Agencies map to a unit code, roles
 * to a role name, fees to a whole amount in đồng.
 */
export const placeholderMapping = z.record(
  placeholderToken,
  z.union([z.string().min(1).max(255), z.number().int().nonnegative().max(1_000_000_000_000)]),
);
export type PlaceholderMapping = z.infer<typeof placeholderMapping>;

/** Most issues an error carries in `issues`, and how many of them its message spells out. */
export const MAX_ISSUES = 100;
export const SHOWN_ISSUES = 10;

/** One problem of a pack: the file, the JSON path in it (dotted; empty for the whole file) and what is wrong. */
export interface PackIssue {
  file: string;
  path: string;
  message: string;
}

/** Zod issues as pack issues of one file, every one of them (zod reports them all). */
export function issuesOf(error: z.ZodError, file: string): PackIssue[] {
  return error.issues.map((i) => ({ file, path: i.path.join('.'), message: i.message }));
}

/** `file: path: message; …`, the first SHOWN_ISSUES of them and how many more. */
export function describePackIssues(issues: PackIssue[]): string {
  const shown = issues.slice(0, SHOWN_ISSUES).map((i) => [i.file, i.path, i.message].filter(Boolean).join(': '));
  const more = issues.length > SHOWN_ISSUES ? `; and ${issues.length - SHOWN_ISSUES} more` : '';
  return `${shown.join('; ')}${more}`;
}

/**
 * One error for every problem found: the message names the first few, `issues` carries up to
 * MAX_ISSUES with their JSON paths, `issueCount` says how many there were in all.
 */
export function packIssuesError(code: string, issues: PackIssue[], lead = ''): AppError {
  const files = [...new Set(issues.map((i) => i.file))];
  return new AppError(code, `${lead}${describePackIssues(issues)}`, {
    ...(files.length === 1 ? { file: files[0] } : { files }),
    issues: issues.slice(0, MAX_ISSUES),
    issueCount: issues.length,
  });
}

/** Formats zod issues as `field: message; …` for error details that name the field. */
export function describeIssues(error: z.ZodError): string {
  const shown = error.issues
    .slice(0, SHOWN_ISSUES)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  return error.issues.length > SHOWN_ISSUES ? `${shown}; and ${error.issues.length - SHOWN_ISSUES} more` : shown;
}

/** Parses JSON bytes against a schema; any fault becomes `code` naming the file and field. */
export function parseJsonFile<T extends z.ZodType>(
  schema: T,
  bytes: Buffer | string,
  file: string,
  code = 'pack.invalid_content',
): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (e) {
    throw new AppError(code, `${file} is not valid JSON: ${(e as Error).message}`, { file });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw packIssuesError(code, issuesOf(parsed.error, file));
  return parsed.data;
}
