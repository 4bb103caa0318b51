import { errorCatalogue } from './errors.ts';

/** The text of docs/errors.md: every stable error code with its HTTP status and titles. */
export function renderErrorsDoc(): string {
  const rows = Object.entries(errorCatalogue)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, d]) => `| \`${code}\` | ${d.status} | ${d.title} | ${'vi' in d ? d.vi : ''} |`);
  return `# Error codes

Every error the API returns is an RFC 9457 \`application/problem+json\` body:

\`\`\`json
{ "type": "https://motcua.dev/errors/auth.locked", "title": "Tài khoản bị khóa do đăng nhập sai nhiều lần",
  "status": 423, "code": "auth.locked", "detail": "…", "instance": "/api/auth/login", "requestId": "…" }
\`\`\`

- \`code\` is stable: clients and scripts branch on it, never on \`title\` or \`detail\`.
- \`title\` is Vietnamese unless the request's \`Accept-Language\` starts with \`en\`.
- \`requestId\` equals the \`X-Request-Id\` response header; quote it when reporting a 500.
- Some codes add fields: \`request.invalid\` → \`issues\` (path, message); \`auth.throttled\` and
  \`dossier.lookup_throttled\` → \`retryAfter\` (and a \`Retry-After\` header); \`dossier.evaluation_not_open\` → \`status\`;
  \`auth.weak_password\` → \`problems\`; \`conflict.stale\` → \`currentVersion\`;
  \`process.migration_refused\` → \`activities\` (activity id, reason) when activities lack a counterpart;
  \`process.engine_version_unsupported\` → \`installed\`, \`supported\` (package → version);
  \`process.service_task_failed\` → \`activityId\`, \`topic\` (and \`cause\`, the handler's own code);
  \`process.bpmn_error_uncaught\` → \`errorCode\` (the handler's business error code), \`activityId\`;
  \`pack.invalid_content\` and \`pack.definition_key_mismatch\` → \`issues\` (file, path, message; at most 100)
  and \`issueCount\`; \`pack.unmapped_placeholder\` and \`pack.mapping_invalid\` → \`issues\` (token as path, message).
- Plugins add codes under their own id (\`<plugin>.<code>\`), listed in their own docs.

This file is generated from \`core/errors.ts\` by \`node --import tsx scripts/gen-errors-doc.ts\`; a test fails when it is stale.

| code | status | title | tiêu đề |
|---|---|---|---|
${rows.join('\n')}
`;
}
