import { describe, expect, it } from 'vitest';
import { composeModules, providers } from './compose.ts';
import { defineModule } from './define-module.ts';
import { core, coreModules } from './index.ts';
import { defineMigration } from '../db/migration.ts';

describe('core modules', () => {
  it('are ordered so that each comes after the modules it requires', () => {
    const position = new Map(core.modules.map((m, i) => [m.id, i]));
    const provider = providers(core.modules);
    for (const m of core.modules)
      for (const port of m.requires ?? []) {
        const from = provider.get(port)!;
        if (from !== 'boot') expect(position.get(from), `${m.id} requires ${port} from ${from}`).toBeLessThan(position.get(m.id)!);
      }
    expect(core.modules.map((m) => m.id).sort()).toEqual(coreModules.map((m) => m.id).sort());
  });

  it('derive the tables core owns from their migrations (every table, the migrator’s own included)', () => {
    expect([...core.tables].sort()).toEqual([
      'activity_history',
      'api_tokens',
      'audit_heads',
      'audit_log',
      'bpmn_deployments',
      'calendar_days',
      'calendar_revision',
      'calendar_unit_overrides',
      'calendar_years',
      'dossier_appointments',
      'dossier_attachment_blobs',
      'dossier_attachments',
      'dossier_components',
      'dossier_counters',
      'dossier_evaluations',
      'dossier_form_templates',
      'dossier_hops',
      'dossier_lookup_throttle',
      'dossier_name_pairs',
      'dossier_portal_sync',
      'dossier_status_history',
      'dossier_supplements',
      'dossier_words',
      'dossiers',
      'incidents',
      'jobs',
      'login_throttle',
      'message_subscriptions',
      'messages',
      'outbox',
      'pack_assets',
      'pack_installs',
      'pack_trusted_keys',
      'procedure_bindings',
      'procedure_documents',
      'procedure_facets',
      'procedure_versions',
      'procedure_words',
      'procedures',
      'process_definitions',
      'process_instances',
      'role_assignments',
      'schema_migrations',
      'sectors',
      'sessions',
      'settings',
      'tasks',
      'unit_name_history',
      'units',
      'users',
    ]);
  });

  it('derive the route bases core owns from their routes, and reserve their ids', () => {
    for (const base of [
      'health',
      'openapi.json',
      'auth',
      'me',
      'units',
      'users',
      'roles',
      'role-assignments',
      'audit',
      'definitions',
      'instances',
      'tasks',
      'messages',
      'incidents',
      'procedures',
      'packs',
      'calendar',
      'dossiers',
      'public',
    ]) {
      expect(core.routeBases, base).toContain(base);
    }
    for (const id of coreModules.map((m) => m.id)) expect(core.routeBases).toContain(id);
  });

  it('apply core migrations in the order of their numbers, as every existing database did', () => {
    const names = core.migrations.map((m) => m.name);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe('core_0001_foundation');
  });

  it('declare every core permission once, each with its owner', () => {
    const names = core.permissions.map((p) => p.def.name);
    expect(new Set(names).size).toBe(names.length);
    expect(core.permissions.find((p) => p.def.name === 'process.message')?.owner).toBe('engine');
    expect(core.permissions.find((p) => p.def.name === 'unit.read')?.owner).toBe('org');
  });

  it('refuse a requirement that is missing or circular, naming the modules', () => {
    const a = defineModule({ id: 'a', description: 'a', requires: ['catalogue'], provides: ['audit'] });
    const b = defineModule({ id: 'b', description: 'b', requires: ['audit'], provides: ['catalogue'] });
    expect(() => composeModules([a, b])).toThrow(/circle: a → b → a/);
    expect(() => composeModules([a])).toThrow(/"a" requires "catalogue", which no module provides/);
    expect(() => composeModules([b, defineModule({ id: 'b', description: 'again' })])).toThrow(/Two core modules have the id "b"/);
  });

  it('find the tables a migration creates without a database', () => {
    const m = defineMigration('x_0001_two', (schema) =>
      schema
        .createTable('x_one', (t) => t.string('id'))
        .alterTable('units', (t) => t.string('y'))
        .createTable('x_two', (t) => t.string('id'))
        .raw('UPDATE units SET y = 1'),
    );
    expect(m.tables).toEqual(['x_one', 'x_two']);
  });
});
