import type { IFlattenedRuleSet } from 'dependency-cruiser';

/**
 * The import direction of the codebase, checked by tests/architecture.test.ts:
 * core knows no plugin or UI; a plugin sees only core's public plugin API and the
 * `contract.ts` of other plugins. And every package imported anywhere is declared in
 * package.json: one that is only there because another package needs it may change or vanish
 * with that package's next release.
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
    {
      name: 'no-non-package-json',
      comment:
        'a package imported by the code (tests and scripts included) must be declared in package.json, not only installed as a dependency of a dependency',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to nothing (a package neither declared nor installed, or a missing file)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
};
