import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/knex';
import { deserialize } from 'moddle-context-serializer';
import type { EngineDeps, JobDeps } from './deps.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { compileBpmn, typeResolver } from './compile.ts';
import type { ActivityModel } from './model.ts';
import type { DefinitionRow, LoadedDefinition } from './types.ts';

export type { DefinitionRow, LoadedDefinition } from './types.ts';
import { scheduleStartTimers } from './timer-jobs.ts';
import { calledElementWarnings } from './call-activities.ts';
import { sql } from '../db/sql.ts';

interface RawDefinition {
  id: string;
  key: string;
  version: number;
  name: string | null;
  hash: string;
  deployment_id: string;
  created_at: unknown;
  context?: string;
  activities?: string;
}

function toRow(r: RawDefinition): DefinitionRow {
  const created =
    r.created_at instanceof Date
      ? r.created_at
      : new Date(typeof r.created_at === 'string' && /^\d+$/.test(r.created_at) ? Number(r.created_at) : (r.created_at as string | number));
  return {
    id: r.id,
    key: r.key,
    version: Number(r.version),
    name: r.name,
    hash: r.hash,
    deploymentId: r.deployment_id,
    createdAt: created.toISOString(),
  };
}

/**
 * Deployed definitions, immutable once written. Parsed definitions are kept in a bounded
 * LRU cache: a definition is parsed once per process, never per command.
 */
export class DefinitionStore {
  private readonly cache = new Map<string, LoadedDefinition>();

  constructor(
    private readonly svc: EngineDeps,
    private readonly capacity = 500,
  ) {}

  /** Deploys every executable process of the file: same content → same version, changed → n+1. */
  async deploy(
    em: EntityManager,
    acting: Acting,
    xml: string,
    name: string | null,
  ): Promise<{ definitions: (DefinitionRow & { created: boolean })[]; warnings: string[] }> {
    const compiled = await compileBpmn(xml, {
      maxBytes: this.svc.config.bpmnMaxBytes,
      hasTopic: (topic: string) => this.svc.plugins.handlers.has(topic),
    });
    if (compiled.processes.length === 0) throw new AppError('bpmn.no_executable_process');
    const now = this.svc.clock.now();
    const deploymentId = crypto.randomUUID();
    let deploymentWritten = false;
    const out: (DefinitionRow & { created: boolean })[] = [];
    for (const proc of compiled.processes) {
      const [existing] = await sql(em).all<RawDefinition>(
        'SELECT id, key, version, name, hash, deployment_id, created_at FROM process_definitions WHERE key = ? AND hash = ?',
        [proc.key, proc.hash],
      );
      if (existing) {
        out.push({ ...toRow(existing), created: false });
        continue;
      }
      if (!deploymentWritten) {
        await sql(em).run('INSERT INTO bpmn_deployments (id, name, hash, xml, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)', [
          deploymentId,
          name,
          createHash('sha256').update(xml).digest('hex'),
          xml,
          now,
          acting.actor.id,
        ]);
        deploymentWritten = true;
      }
      const [{ max }] = await sql(em).all<{ max: number | null }>('SELECT MAX(version) AS max FROM process_definitions WHERE key = ?', [
        proc.key,
      ]);
      const version = Number(max ?? 0) + 1;
      const id = crypto.randomUUID();
      await sql(em).run(
        'INSERT INTO process_definitions (id, key, version, name, hash, deployment_id, context, activities, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [id, proc.key, version, proc.name, proc.hash, deploymentId, proc.context, JSON.stringify(proc.activities), now, acting.actor.id],
      );
      await scheduleStartTimers(em, this.svc, { id, key: proc.key, context: proc.context });
      await this.svc.audit.append(em, {
        ...acting,
        action: 'process.deployed',
        targetType: 'process_definition',
        targetId: id,
        summary: { key: proc.key, version, name: proc.name },
      });
      out.push({ id, key: proc.key, version, name: proc.name, hash: proc.hash, deploymentId, createdAt: now.toISOString(), created: true });
    }
    return { definitions: out, warnings: [...compiled.warnings, ...(await calledElementWarnings(em, compiled.processes))] };
  }

  async list(em: EntityManager): Promise<DefinitionRow[]> {
    const rows = await sql(em)
      .all<RawDefinition>(`SELECT d.id, d.key, d.version, d.name, d.hash, d.deployment_id, d.created_at FROM process_definitions d
       WHERE d.version = (SELECT MAX(version) FROM process_definitions x WHERE x.key = d.key) ORDER BY d.key`);
    return rows.map(toRow);
  }

  async versions(em: EntityManager, key: string): Promise<DefinitionRow[]> {
    const rows = await sql(em).all<RawDefinition>(
      'SELECT id, key, version, name, hash, deployment_id, created_at FROM process_definitions WHERE key = ? ORDER BY version',
      [key],
    );
    if (rows.length === 0) throw new AppError('process.definition_not_found', `No process definition "${key}"`);
    return rows.map(toRow);
  }

  async xml(em: EntityManager, key: string, version: number): Promise<string> {
    const [row] = await sql(em).all<{ xml: string }>(
      'SELECT b.xml FROM process_definitions d JOIN bpmn_deployments b ON b.id = d.deployment_id WHERE d.key = ? AND d.version = ?',
      [key, version],
    );
    if (!row) throw new AppError('process.definition_not_found', `No version ${version} of "${key}"`);
    return row.xml;
  }

  /** The definition of that key and version (latest when omitted), parsed and cached. */
  async resolve(em: EntityManager, key: string, version?: number | null): Promise<LoadedDefinition> {
    const [row] = await sql(em).all<{ id: string }>(
      version
        ? 'SELECT id FROM process_definitions WHERE key = ? AND version = ?'
        : 'SELECT id FROM process_definitions WHERE key = ? ORDER BY version DESC LIMIT 1',
      version ? [key, version] : [key],
    );
    if (!row)
      throw new AppError('process.definition_not_found', version ? `No version ${version} of "${key}"` : `No process definition "${key}"`);
    return this.byId(em, row.id);
  }

  async byId(em: EntityManager, id: string): Promise<LoadedDefinition> {
    const hit = this.cache.get(id);
    if (hit) {
      this.cache.delete(id);
      this.cache.set(id, hit);
      return hit;
    }
    const [r] = await sql(em).all<RawDefinition>('SELECT * FROM process_definitions WHERE id = ?', [id]);
    if (!r) throw new AppError('process.definition_not_found', `No process definition ${id}`);
    const loaded: LoadedDefinition = {
      ...toRow(r),
      sourceContext: deserialize(JSON.parse(r.context!) as object, typeResolver),
      activities: JSON.parse(r.activities!) as Record<string, ActivityModel>,
    };
    this.cache.set(id, loaded);
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return loaded;
  }

  get cached(): number {
    return this.cache.size;
  }
}
