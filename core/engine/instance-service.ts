import { AppError } from '../errors.ts';
import { findVisibleUnit } from '../org/units-service.ts';
import type { Caller } from './caller.ts';
import type { PublishResult } from './messages.ts';
import { activityMapper, migrateInstance as moveInstance, type MigrationInput } from './migrate.ts';
import type { EnginePorts } from './ports.ts';
import { instanceNotFound } from './runtime.ts';
import { assertStateFormat } from './state-adapter.ts';
import { instanceTasks, instanceView, runningInstancesOf } from './views.ts';
import { mayWork } from './entitlement.ts';

/**
 * The application service of process instances, of what reaches them (messages) and of the
 * definitions they run (deploy, migrate): each function owns its transaction(s), checks the
 * caller against the loaded rows (ADR 0004: 404 for an instance they may not see, 403 for
 * one they see but may not change) and runs the runtime's commands, which write the audit.
 */

export type InstanceView = Awaited<ReturnType<typeof instanceView>>;

/** What POST /api/instances takes. */
export interface StartRequest {
  definitionKey: string;
  version?: number;
  businessKey?: string;
  variables?: Record<string, unknown>;
  /** Unit id or code; default: the caller's first unit where they may start processes. */
  unitId?: string;
}

/** The instance as GET answers it, read after the command's commit. */
async function current(ports: Pick<EnginePorts, 'db' | 'engine'>, id: string): Promise<InstanceView> {
  const em = ports.db.em();
  return instanceView(em, await ports.engine.loadInstance(em, id));
}

/** Starts an instance in a unit the caller may start processes in; the instance at its first wait. */
export async function startInstance(
  ports: Pick<EnginePorts, 'db' | 'engine' | 'permissions'>,
  caller: Caller,
  input: StartRequest,
): Promise<InstanceView> {
  const id = await ports.db.em().transactional(async (em) => {
    let unit: { id: string; path: string } | null = null;
    if (input.unitId) unit = await findVisibleUnit(em, caller.authz, input.unitId);
    else {
      const grant = caller.authz.grants.find((g) => ports.permissions.roleGrants(g.role, 'process.start'));
      if (grant) unit = { id: grant.unitId, path: grant.unitPath };
    }
    await caller.authz.assert('process.start', unit?.id ?? null);
    return ports.engine.start(em, caller.acting, { ...input, unitId: unit?.id ?? null, unitPath: unit?.path ?? null });
  });
  return current(ports, id);
}

/**
 * An instance the caller may see (else 404): one of their units', or one with an open task they
 * may work or a task they completed (the agency that appraises a dossier the desk received reads
 * its instance and variables; a mere reader of that agency does not).
 */
export async function getInstance(
  ports: Pick<EnginePorts, 'db' | 'engine' | 'permissions'>,
  caller: Caller,
  id: string,
): Promise<InstanceView> {
  const em = ports.db.em();
  const row = await ports.engine.loadInstance(em, id);
  if (!(await caller.authz.can('process.read', row.unit_id))) {
    const tasks = await instanceTasks(em, id);
    const works = tasks.some(
      (t) => (t.status === 'open' && mayWork(caller.user, caller.authz, ports.permissions, t)) || t.completed_by === caller.user.id,
    );
    if (!works) throw instanceNotFound(id);
  }
  return instanceView(em, row);
}

/** Cancels a running instance of the caller's units, with its open tasks. */
export async function cancelInstance(
  ports: Pick<EnginePorts, 'db' | 'engine'>,
  caller: Caller,
  id: string,
  reason: string | null,
): Promise<InstanceView> {
  await ports.db.em().transactional(async (em) => {
    const row = await ports.engine.loadInstance(em, id);
    await caller.authz.assertVisible('process.read', row.unit_id, () => instanceNotFound(id));
    await caller.authz.assert('process.cancel', row.unit_id);
    await ports.engine.cancel(em, caller.acting, row, reason);
  });
  return current(ports, id);
}

/** Moves one waiting instance to another version of its definition (migrate.ts); refused, nothing changes. */
export async function migrateInstance(ports: EnginePorts, caller: Caller, id: string, input: MigrationInput): Promise<InstanceView> {
  await ports.db.em().transactional(async (em) => {
    const row = await ports.engine.loadInstance(em, id);
    await caller.authz.assertVisible('process.read', row.unit_id, () => instanceNotFound(id));
    await caller.authz.assert('process.migrate', row.unit_id);
    await moveInstance(ports, em, caller.acting, row, input);
  });
  return current(ports, id);
}

export interface MigrationReport {
  migrated: string[];
  refused: { id: string; code: string; reason: string }[];
}

/**
 * Moves every running instance of `key` v`version` that `process.migrate` reaches to another
 * version, each in its own transaction: one refused leaves the others moved. The target is
 * checked once first (same definition, activities mappable, state format supported).
 */
export async function migrateDefinitionInstances(
  ports: EnginePorts,
  caller: Caller,
  key: string,
  version: number,
  input: MigrationInput,
): Promise<MigrationReport> {
  const em = ports.db.em();
  const from = await ports.engine.definitions.resolve(em, key, version);
  const to = await ports.engine.definitions.resolve(em, key, input.toVersion);
  if (to.id === from.id) throw new AppError('process.migration_refused', `Source and target are both v${version}`);
  activityMapper(from, to, input.activityMap);
  assertStateFormat();
  const rows = await runningInstancesOf(em, from.id);
  const report: MigrationReport = { migrated: [], refused: [] };
  for (const { id } of rows.filter((r) => caller.authz.canPath('process.migrate', r.unit_path))) {
    try {
      await ports.db.em().transactional(async (tx) => {
        const row = await ports.engine.loadInstance(tx, id);
        if (row.definition_id !== from.id) throw new AppError('conflict.stale', `Instance ${id} is no longer on v${version}`);
        await caller.authz.assert('process.migrate', row.unit_id);
        await moveInstance(ports, tx, caller.acting, row, input);
      });
      report.migrated.push(id);
    } catch (err) {
      if (!(err instanceof AppError)) ports.log.error({ err, instanceId: id }, 'migration failed');
      const e = err instanceof AppError ? err : new AppError('internal');
      report.refused.push({ id, code: e.code, reason: e.message });
    }
  }
  return report;
}

/** What POST /api/messages takes. */
export interface MessageRequest {
  name: string;
  correlationKey?: string | null;
  variables?: Record<string, unknown>;
  messageId?: string;
}

/**
 * Sends a message from outside (origin `api`): it reaches only instances in the caller's
 * `process.message` units (province-wide grants reach all), and an instance a message start
 * event creates belongs to the caller's first such unit.
 */
export async function sendMessage(
  ports: Pick<EnginePorts, 'db' | 'engine' | 'permissions'>,
  caller: Caller,
  input: MessageRequest,
): Promise<PublishResult> {
  const authz = caller.authz;
  authz.assertAnywhere('process.message');
  const scope = authz.isGlobal('process.message') ? null : authz.scopes('process.message');
  const grant = authz.grants.find((g) => ports.permissions.roleGrants(g.role, 'process.message'));
  return ports.db.em().transactional((em) =>
    ports.engine.publishMessage(em, caller.acting, {
      name: input.name,
      origin: 'api',
      correlationKey: input.correlationKey ?? null,
      variables: input.variables ?? {},
      messageId: input.messageId ?? null,
      scope,
      unit: { id: grant?.unitId ?? null, path: grant?.unitPath ?? null },
    }),
  );
}

/** Deploys a BPMN file (definitions.ts): each executable process becomes a definition, same content → same version. */
export function deployDefinitions(ports: Pick<EnginePorts, 'db' | 'engine'>, caller: Caller, xml: string, name: string | null) {
  return ports.db.em().transactional((em) => ports.engine.definitions.deploy(em, caller.acting, xml, name));
}
