import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { defineEntity, p } from '@mikro-orm/core';
import { defineMigration } from '../db/migration.ts';
import { AppError } from '../errors.ts';
import { createTestDatabase, startTestPlatform } from '../../tests/support/platform.ts';
import { core } from '../modules/index.ts';
import type { PluginDefinition } from './define-plugin.ts';
import { PluginHost } from './host.ts';
import { loadPlugins, resolvePluginModule } from './loader.ts';

const CORE_VERSION = '0.1.0';
const noop = async () => undefined;

function plugin(id: string, extra: Partial<PluginDefinition> = {}): PluginDefinition {
  return { id, version: '1.0.0', ...extra };
}

function resolve(defs: PluginDefinition[], config: Record<string, unknown> = {}): PluginHost {
  return PluginHost.resolve(defs, CORE_VERSION, config, core);
}

/** The boot refusal: its stable code and the words the operator needs to find the culprits. */
function refusal(defs: PluginDefinition[], config: Record<string, unknown> = {}): AppError {
  try {
    resolve(defs, config);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('the plugins were accepted');
}

function entity(name: string, tableName: string) {
  return defineEntity({ name, tableName, properties: { id: p.string().primary() } });
}

describe('plugin host: identity', () => {
  it('accepts a consistent set and reports it', () => {
    const host = resolve([plugin('alpha', { version: '1.2.3' }), plugin('beta')]);
    expect(host.info()).toEqual([
      { id: 'alpha', version: '1.2.3' },
      { id: 'beta', version: '1.0.0' },
    ]);
  });

  it('refuses two plugins with one id, naming both versions', () => {
    const err = refusal([plugin('queue', { version: '1.0.0' }), plugin('queue', { version: '1.1.0' })]);
    expect(err.code).toBe('plugin.conflict');
    expect(err.message).toContain('"queue"');
    expect(err.message).toMatch(/1\.0\.0.*1\.1\.0/);
  });

  it.each(['audit', 'units', 'health'])('refuses the id "%s", which is a core route base', (id) => {
    const err = refusal([plugin(id)]);
    expect(err.code).toBe('plugin.conflict');
    expect(err.message).toContain(`/api/${id}`);
    expect(err.message).toContain('core');
  });

  it.each(['Queue', 'q', 'my-plugin', '9lives'])('refuses the malformed id "%s"', (id) => {
    expect(refusal([plugin(id)]).code).toBe('plugin.invalid');
  });

  it('refuses a version that is not semver', () => {
    expect(refusal([plugin('alpha', { version: 'v1' })]).message).toContain('not semver');
  });
});

describe('plugin host: namespaces', () => {
  it("refuses an id whose table prefix is core's (unit → unit_name_history)", () => {
    const err = refusal([plugin('unit')]);
    expect(err.code).toBe('plugin.conflict');
    expect(err.message).toContain('unit_name_history');
    expect(err.message).toContain('core');
  });

  it('refuses a table not prefixed with the plugin id', () => {
    const err = refusal([plugin('queue', { entities: [entity('QueueTicket', 'tickets')] })]);
    expect(err.code).toBe('plugin.invalid');
    expect(err.message).toContain('"tickets"');
    expect(err.message).toContain('"queue_"');
  });

  it("refuses an entity named like core's or another plugin's", () => {
    const core = refusal([plugin('alpha', { entities: [entity('User', 'alpha_users')] })]);
    expect(core.code).toBe('plugin.conflict');
    expect(core.message).toMatch(/"User".*"core".*"alpha"/);
    const other = refusal([
      plugin('alpha', { entities: [entity('Ticket', 'alpha_tickets')] }),
      plugin('beta', { entities: [entity('Ticket', 'beta_tickets')] }),
    ]);
    expect(other.message).toMatch(/"Ticket".*"alpha".*"beta"/);
  });

  it('refuses unprefixed migrations, permissions, error codes, extension points, templates and documents', () => {
    const cases: Partial<PluginDefinition>[] = [
      { migrations: [defineMigration('0001_things', () => undefined)] },
      { permissions: [{ name: 'things.read', description: 'x', roles: ['viewer'] }] },
      { errors: { 'things.gone': { status: 404, title: 'Gone' } } },
      { extensionPoints: { 'things.menu': { description: 'x' } } },
      { elementTemplates: [{ id: 'things.task', name: 'x', appliesTo: ['bpmn:ServiceTask'], properties: [] }] },
      { documents: [{ id: 'things.slip', title: { vi: 'x' }, engine: 'handlebars', source: '' }] },
    ];
    for (const extra of cases) expect(refusal([plugin('alpha', extra)]).code, JSON.stringify(Object.keys(extra))).toBe('plugin.invalid');
  });

  it('refuses one handler topic registered by two plugins, naming both', () => {
    const err = refusal([
      plugin('alpha', { handlers: { 'dvc.sync-status': noop } }),
      plugin('beta', { handlers: { 'dvc.sync-status': noop } }),
    ]);
    expect(err.code).toBe('plugin.conflict');
    expect(err.message).toContain('"dvc.sync-status"');
    expect(err.message).toContain('"alpha"');
    expect(err.message).toContain('"beta"');
  });

  it('refuses a topic that is not <namespace>.<verb-noun>', () => {
    expect(refusal([plugin('alpha', { handlers: { SyncStatus: noop } })]).code).toBe('plugin.invalid');
  });

  it("refuses an element tag declared twice or outside the plugin's prefix", () => {
    const twice = refusal([plugin('alpha', { ui: { elements: ['alpha-board', 'alpha-board'] } })]);
    expect(twice.code).toBe('plugin.conflict');
    expect(twice.message).toContain('<alpha-board>');
    const borrowed = refusal([
      plugin('alpha', { ui: { elements: ['alpha-board'] } }),
      plugin('beta', { ui: { elements: ['alpha-board'] } }),
    ]);
    expect(borrowed.code).toBe('plugin.invalid');
    expect(borrowed.message).toContain('"beta-"');
  });
});

describe('plugin host: dependencies', () => {
  it('refuses a plugin whose required plugin is not enabled', () => {
    const err = refusal([plugin('beta', { requires: { alpha: '^1.0.0' } })]);
    expect(err.code).toBe('plugin.missing_dependency');
    expect(err.message).toMatch(/"beta".*"alpha"/);
  });

  it('refuses a required plugin of the wrong version, and a wrong core', () => {
    const err = refusal([plugin('alpha', { version: '1.4.0' }), plugin('beta', { requires: { alpha: '^2.0.0' } })]);
    expect(err.code).toBe('plugin.missing_dependency');
    expect(err.message).toContain('^2.0.0');
    expect(err.message).toContain('alpha 1.4.0');
    expect(refusal([plugin('alpha', { requires: { core: '^9.0.0' } })]).message).toContain(`motcua ${CORE_VERSION}`);
    expect(refusal([plugin('alpha', { requires: { core: 'soon' } })]).code).toBe('plugin.invalid');
  });

  it('refuses a dependency cycle and shows it', () => {
    const err = refusal([
      plugin('alpha', { requires: { beta: '*' } }),
      plugin('beta', { requires: { gamma: '*' } }),
      plugin('gamma', { requires: { alpha: '*' } }),
    ]);
    expect(err.message).toContain('alpha → beta → gamma → alpha');
  });

  it('orders migrations, setup and routes by requires, not by the order listed', () => {
    const m = (name: string) => defineMigration(name, () => undefined);
    const host = resolve([
      plugin('beta', { requires: { alpha: '^1.0.0' }, migrations: [m('beta_0001_init')] }),
      plugin('alpha', { migrations: [m('alpha_0001_init'), m('alpha_0002_more')] }),
    ]);
    expect(host.migrations().map((x) => x.name)).toEqual(['alpha_0001_init', 'alpha_0002_more', 'beta_0001_init']);
    expect(host.info().map((x) => x.id)).toEqual(['alpha', 'beta']);
  });
});

describe('plugin host: configuration and extension points', () => {
  const Config = z.object({ prefix: z.string().max(3).default('A'), perDay: z.number().int().default(100) });

  it('parses configuration with the plugin schema, applying defaults', () => {
    const host = resolve([plugin('alpha', { config: Config })], { alpha: { perDay: 7 } });
    expect(host.context('alpha').config).toEqual({ prefix: 'A', perDay: 7 });
  });

  it('refuses invalid configuration, naming the plugin and the field', () => {
    const err = refusal([plugin('alpha', { config: Config })], { alpha: { prefix: 'TOOLONG', perDay: 'many' } });
    expect(err.code).toBe('plugin.invalid');
    expect(err.message).toContain('"alpha" configuration');
    expect(err.message).toContain('prefix');
    expect(err.message).toContain('perDay');
  });

  const Entry = z.object({ label: z.string().min(1), order: z.number().int().default(100) });
  const point = plugin('alpha', { extensionPoints: { 'alpha.menu': { description: 'Menu entries', schema: Entry } } });

  it('hands validated contributions, defaults applied, to the owner of the point', () => {
    const host = resolve([
      point,
      plugin('beta', { contributions: { 'alpha.menu': [{ label: 'Báo cáo' }] } }),
      plugin('gamma', { contributions: { 'alpha.menu': [{ label: 'Thống kê', order: 1 }] } }),
    ]);
    expect(host.context('alpha').contributions('alpha.menu')).toEqual([
      { plugin: 'beta', value: { label: 'Báo cáo', order: 100 } },
      { plugin: 'gamma', value: { label: 'Thống kê', order: 1 } },
    ]);
    expect(host.context('alpha').contributions('alpha.nothing')).toEqual([]);
  });

  it('refuses a contribution to an extension point nobody offers', () => {
    const err = refusal([plugin('beta', { contributions: { 'alpha.menu': [{ label: 'x' }] } })]);
    expect(err.code).toBe('plugin.missing_dependency');
    expect(err.message).toMatch(/"beta".*"alpha\.menu"/);
  });

  it("refuses a contribution that does not match the point's schema", () => {
    const err = refusal([point, plugin('beta', { contributions: { 'alpha.menu': [{ label: '' }] } })]);
    expect(err.code).toBe('plugin.invalid');
    expect(err.message).toContain('"alpha.menu"');
    expect(err.message).toContain('label');
  });
});

// better-sqlite3 ships no types (and @types is not installed): type the little used here.
type SqliteDb = { prepare(sql: string): { all(): unknown[] }; close(): void };
const Sqlite = createRequire(import.meta.url)('better-sqlite3') as new (file: string, options?: { readonly?: boolean }) => SqliteDb;

async function tablesIn(dialect: string, database: string): Promise<string[]> {
  if (dialect === 'sqlite') {
    if (!existsSync(database)) return [];
    const db = new Sqlite(database, { readonly: true });
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    db.close();
    return rows.map((r) => r.name);
  }
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  const { rows } = await client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
  );
  await client.end();
  return rows.map((r) => r.table_name);
}

describe('plugin host: at boot', () => {
  it('stops the boot on a conflict before any table is created', async () => {
    const target = await createTestDatabase();
    try {
      const things = defineMigration('alpha_0001_things', (schema) => schema.createTable('alpha_things', (t) => t.string('id').primary()));
      const boot = startTestPlatform({
        plugins: [
          plugin('alpha', { migrations: [things], handlers: { 'dvc.sync-status': noop } }),
          plugin('beta', { handlers: { 'dvc.sync-status': noop } }),
        ],
        config: { database: target.database },
      });
      await expect(boot).rejects.toMatchObject({ code: 'plugin.conflict' });
      expect(await tablesIn(target.dialect, target.database)).toEqual([]);

      // Control: without the conflict the same database gets core's tables and alpha's.
      const ok = await startTestPlatform({
        plugins: [plugin('alpha', { migrations: [things] })],
        config: { database: target.database },
        demo: false,
      });
      await ok.close();
      expect(await tablesIn(target.dialect, target.database)).toEqual(
        expect.arrayContaining(['units', 'schema_migrations', 'alpha_things']),
      );
    } finally {
      await target.drop();
    }
  });
});

describe('plugin loader', () => {
  it('finds an enabled id in examples/ when plugins/ has none', async () => {
    expect(resolvePluginModule('queue')).toMatch(/\/examples\/queue\/index\.ts$/);
    const [queue] = await loadPlugins(['queue']);
    expect(queue).toMatchObject({ id: 'queue', version: expect.any(String) });
    expect(() => resolve([queue])).not.toThrow();
  });

  it('reports a plugin that cannot be found', async () => {
    await expect(loadPlugins(['nosuchplugin'])).rejects.toMatchObject({ code: 'plugin.missing_dependency' });
  });
});

describe('plugin host: ports', () => {
  it("refuses a handler topic that does not start with its plugin's id", () => {
    const err = refusal([plugin('alpha', { handlers: { 'dvc.sync-status': noop } })]);
    expect(err.code).toBe('plugin.invalid');
    expect(err.message).toContain('"dvc.sync-status" must start with its id: "alpha.');
    expect(() => resolve([plugin('alpha', { handlers: { 'alpha.sync-status': noop } })])).not.toThrow();
  });

  it('generates an element template from a handler declared with zod schemas; a written one wins', () => {
    const declared = {
      name: 'Đồng bộ',
      input: z.object({ code: z.string().describe('Mã hồ sơ'), note: z.string().optional() }),
      output: z.object({ synced: z.boolean() }),
      handler: noop,
    };
    const host = resolve([plugin('alpha', { handlers: { 'alpha.sync-status': declared } })]);
    const [t] = host.elementTemplates();
    expect(t).toMatchObject({ id: 'alpha.sync-status', name: 'Đồng bộ', appliesTo: ['bpmn:ServiceTask'] });
    expect(t.properties).toEqual([
      { type: 'Hidden', value: 'external', binding: { type: 'property', name: 'camunda:type' } },
      { type: 'Hidden', value: 'alpha.sync-status', binding: { type: 'property', name: 'camunda:topic' } },
      {
        label: 'Mã hồ sơ',
        type: 'String',
        group: 'input',
        binding: { type: 'camunda:inputParameter', name: 'code' },
        constraints: { notEmpty: true },
      },
      { label: 'note', type: 'String', group: 'input', binding: { type: 'camunda:inputParameter', name: 'note' } },
      {
        label: 'synced',
        type: 'String',
        group: 'output',
        value: 'synced',
        binding: { type: 'camunda:outputParameter', source: '${synced}' },
      },
    ]);
    const written = { id: 'alpha.sync-status', name: 'Viết tay', appliesTo: ['bpmn:ServiceTask'], properties: [] };
    const both = resolve([plugin('alpha', { handlers: { 'alpha.sync-status': declared }, elementTemplates: [written] })]);
    expect(both.elementTemplates()).toEqual([written]);
  });

  it('refuses UI routes outside its path or naming an element it does not define, and a read API nobody provides', () => {
    expect(refusal([plugin('alpha', { ui: { elements: ['alpha-x'], routes: [{ path: '/beta', element: 'alpha-x' }] } })]).code).toBe(
      'plugin.invalid',
    );
    expect(refusal([plugin('alpha', { ui: { elements: ['alpha-x'], routes: [{ path: '/alpha', element: 'beta-x' }] } })]).code).toBe(
      'plugin.invalid',
    );
    expect(refusal([plugin('alpha', { ui: { entry: 'x.js' } })]).code).toBe('plugin.invalid');
    expect(refusal([plugin('alpha', { uses: ['beta.things'] })]).code).toBe('plugin.missing_dependency');
    expect(refusal([plugin('alpha', { provides: { 'beta.things': () => ({}) } })]).code).toBe('plugin.invalid');
    const err = refusal([plugin('beta', { provides: { 'beta.things': () => ({}) } }), plugin('alpha', { uses: ['beta.things'] })]);
    expect(err.message).toContain('add "beta" to its requires');
    expect(refusal([plugin('plugins')]).code).toBe('plugin.conflict');
  });
});
