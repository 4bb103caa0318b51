import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/knex';
import { deserialize } from 'moddle-context-serializer';
import type { EngineDeps } from './deps.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { compileBpmn, typeResolver } from './compile.ts';
import type { ActivityModel } from './model.ts';
import type { DefinitionRow, LoadedDefinition } from './types.ts';

export type { DefinitionRow, LoadedDefinition } from './types.ts';
import { scheduleStartTimers } from './timer-jobs.ts';
import { calledElementWarnings } from './call-activities.ts';
import { raw } from '@mikro-orm/core';
import { BpmnDeployment, ProcessDefinition } from './entities.ts';
import { SNAPSHOT } from './snapshots.ts';
import { definitionIdOf } from './store.ts';

/** The columns a definition's listing shows. */
const LISTED = ['id', 'key', 'version', 'name', 'hash', 'deploymentId', 'createdAt'] as const;

function toRow(r: Pick<ProcessDefinition, (typeof LISTED)[number]>): DefinitionRow {
  return {
    id: r.id,
    key: r.key,
    version: r.version,
    name: r.name ?? null,
    hash: r.hash,
    deploymentId: r.deploymentId,
    createdAt: r.createdAt.toISOString(),
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
      const existing = await em.findOne(ProcessDefinition, { key: proc.key, hash: proc.hash }, { fields: LISTED, ...SNAPSHOT });
      if (existing) {
        out.push({ ...toRow(existing), created: false });
        continue;
      }
      if (!deploymentWritten) {
        await em.insert(BpmnDeployment, {
          id: deploymentId,
          name,
          hash: createHash('sha256').update(xml).digest('hex'),
          xml,
          createdAt: now,
          createdBy: acting.actor.id,
        });
        deploymentWritten = true;
      }
      const latest = await em.findOne(
        ProcessDefinition,
        { key: proc.key },
        { fields: ['version'], orderBy: { version: 'desc' }, ...SNAPSHOT },
      );
      const version = (latest?.version ?? 0) + 1;
      const id = crypto.randomUUID();
      await em.insert(ProcessDefinition, {
        id,
        key: proc.key,
        version,
        name: proc.name,
        hash: proc.hash,
        deploymentId,
        context: proc.context,
        activities: JSON.stringify(proc.activities),
        createdAt: now,
        createdBy: acting.actor.id,
      });
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
    // Each key's latest version: a correlated sub-query. In a fork of `em`, so no managed entity is left behind (snapshots.ts).
    const latest = em
      .createQueryBuilder(ProcessDefinition, 'x')
      .select(raw('max(x.version)'))
      .where({ key: raw('d.key') });
    const rows = await em
      .fork({ keepTransactionContext: true })
      .createQueryBuilder(ProcessDefinition, 'd')
      .select(LISTED.map((f) => `d.${f}`))
      .where({ version: { $in: latest.getKnexQuery() } })
      .orderBy({ key: 'asc' })
      .getResultList();
    return rows.map(toRow);
  }

  async versions(em: EntityManager, key: string): Promise<DefinitionRow[]> {
    const rows = await em.find(ProcessDefinition, { key }, { fields: LISTED, orderBy: { version: 'asc' }, ...SNAPSHOT });
    if (rows.length === 0) throw new AppError('process.definition_not_found', `No process definition "${key}"`);
    return rows.map(toRow);
  }

  async xml(em: EntityManager, key: string, version: number): Promise<string> {
    const def = await em.findOne(ProcessDefinition, { key, version }, { fields: ['deploymentId'], ...SNAPSHOT });
    const row = def && (await em.findOne(BpmnDeployment, { id: def.deploymentId }, { fields: ['xml'], ...SNAPSHOT }));
    if (!row) throw new AppError('process.definition_not_found', `No version ${version} of "${key}"`);
    return row.xml;
  }

  /** The definition of that key and version (latest when omitted), parsed and cached. */
  async resolve(em: EntityManager, key: string, version?: number | null): Promise<LoadedDefinition> {
    const id = await definitionIdOf(em, key, version);
    if (!id)
      throw new AppError('process.definition_not_found', version ? `No version ${version} of "${key}"` : `No process definition "${key}"`);
    return this.byId(em, id);
  }

  async byId(em: EntityManager, id: string): Promise<LoadedDefinition> {
    const hit = this.cache.get(id);
    if (hit) {
      this.cache.delete(id);
      this.cache.set(id, hit);
      return hit;
    }
    const r = await em.findOne(ProcessDefinition, { id }, SNAPSHOT);
    if (!r) throw new AppError('process.definition_not_found', `No process definition ${id}`);
    const loaded: LoadedDefinition = {
      ...toRow(r),
      sourceContext: deserialize(JSON.parse(r.context) as object, typeResolver),
      activities: JSON.parse(r.activities) as Record<string, ActivityModel>,
    };
    this.cache.set(id, loaded);
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return loaded;
  }

  get cached(): number {
    return this.cache.size;
  }
}
