import type { IFlattenedRuleSet } from 'dependency-cruiser';

/**
 * The import direction of the codebase, checked by tests/architecture.test.ts:
 * core knows no plugin or UI; a plugin sees only core's public plugin API and the
 * `contract.ts` of other plugins.
 */
export const importRules: IFlattenedRuleSet = {
  forbidden: [
    {
      name: 'core-not-to-outer',
      comment: 'core/ must not import plugins/, designer/, runtime/ or examples/',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(plugins|designer|runtime|examples)/' },
    },
    {
      name: 'plugins-only-plugin-api',
      comment: 'plugins and examples import from core only core/plugin-api.ts',
      severity: 'error',
      from: { path: '^(plugins|examples)/' },
      to: { path: '^core/', pathNot: '^core/plugin-api\\.ts$' },
    },
    {
      name: 'plugins-only-contracts',
      comment: "a plugin imports another plugin only through that plugin's contract.ts",
      severity: 'error',
      from: { path: '^(plugins|examples)/([^/]+)/' },
      to: { path: '^(plugins|examples)/([^/]+)/', pathNot: ['^$1/$2/', '^(plugins|examples)/[^/]+/contract\\.ts$'] },
    },
    {
      name: 'designer-runtime-not-to-server',
      comment: 'the browser apps use the HTTP API, not server modules',
      severity: 'error',
      from: { path: '^(designer|runtime)/' },
      to: { path: '^(core|plugins)/', pathNot: '^core/(plugin-api|bpmn-extensions)' },
    },
  ],
};
