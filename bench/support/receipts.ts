// Receipts per second (issue 15, Benchmark): dossiers received one after another through the
// service POST /api/dossiers calls (Dossiers.create: code, checklist, appointment, audit, process
// start), by the demo desk's clerk, on a shipped procedure of procedures/base; beside it, raw
// bpmn-engine starting the same diagram until its first wait in this process (baseline.ts's
// drivers), measured just before and just after. Used by bench/dossiers.bench.ts.
import type { Platform } from '../../core/boot.ts';
import { sql } from '../../core/db/sql.ts';
import { loadGrants, unitPathLookup } from '../../core/auth/middleware.ts';
import { User } from '../../core/auth/entities.ts';
import { People } from '../../core/demo/people.ts';
import { newDossier } from '../../core/dossiers/model.ts';
import { Authz } from '../../core/org/authz.ts';
import { installDemoPack } from '../../core/packs/demo.ts';
import type { BenchResult } from '../run.ts';
import { driver, type Driver } from './baseline.ts';
import { row } from './sample.ts';

/** Birth registration (khai-sinh.bpmn): one receptionist step first, free of charge. */
export const RECEIPT_PROCEDURE = { procedureCode: '1.001193', caseKey: 'dang-ky-khai-sinh' };

export interface ReceiptDefinition {
  id: string;
  key: string;
  version: number;
  xml: string;
}

/** Installs procedures/base (the demo pack, demo units' mapping) and answers the process the receipt procedure starts. */
export async function installProcedures(p: Platform): Promise<ReceiptDefinition> {
  const svc = p.services;
  const report = await installDemoPack(svc);
  if (report.status !== 'installed' && report.status !== 'already_installed')
    throw new Error(`procedures/base not installed: ${report.status}`);
  const version = await svc.catalogue.inForce(svc.db.em(), RECEIPT_PROCEDURE.procedureCode);
  const binding = version?.bindings.find((b) => b.caseKey === RECEIPT_PROCEDURE.caseKey);
  if (!binding) throw new Error(`${RECEIPT_PROCEDURE.procedureCode} has no process bound to ${RECEIPT_PROCEDURE.caseKey}`);
  const def = await sql(svc.db.em()).get<{ id: string; key: string; version: number | string; xml: string }>(
    'SELECT p.id, p.key, p.version, d.xml FROM process_definitions p JOIN bpmn_deployments d ON d.id = p.deployment_id WHERE p.key = ? AND p.version = ?',
    [binding.definitionKey, binding.definitionVersion],
  );
  if (!def) throw new Error(`process ${binding.definitionKey} v${binding.definitionVersion} is not deployed`);
  return { ...def, version: Number(def.version) };
}

/**
 * The deployed diagram as raw bpmn-engine can run it: without its collaboration. The shipped
 * diagrams draw the citizen as a collapsed pool with message flows, which the platform sets aside
 * at deploy (core/engine/compile/set-aside.ts) and on which raw bpmn-engine's parser crashes.
 */
export const rawSource = (xml: string) => xml.replace(/<bpmn:collaboration[\s\S]*?<\/bpmn:collaboration>/, '');

interface Rate {
  /** Per second of wall clock, and per CPU-second of this process (user + system). */
  wall: number;
  cpu: number;
}

async function rate(n: number, fn: (i: number) => Promise<unknown>): Promise<Rate> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall: n / wall, cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

/** The rate of 2n operations measured as two runs of n (total operations / total time). */
const pooled = (a: Rate, b: Rate): Rate => ({
  wall: (2 * a.wall * b.wall) / (a.wall + b.wall),
  cpu: (2 * a.cpu * b.cpu) / (a.cpu + b.cpu),
});

export async function measureReceipts(
  label: 'SQLite' | 'PostgreSQL',
  p: Platform,
  def: ReceiptDefinition,
  n: number,
): Promise<BenchResult[]> {
  const svc = p.services;
  const em = svc.db.em();
  const clerk = await em.findOneOrFail(User, { username: 'clerk' });
  const authz = new Authz(await loadGrants(em, clerk.id), svc.permissions, unitPathLookup(em));
  const acting = { actor: { id: clerk.id, name: clerk.username }, requestId: null };
  const version = await svc.catalogue.inForce(em, RECEIPT_PROCEDURE.procedureCode);
  const kase = version!.document.cases.find((c) => c.key === RECEIPT_PROCEDURE.caseKey)!;
  const components = kase.documents.map((d, i) => ({
    document: i,
    received: true,
    originals: d.originals,
    copies: d.copies,
    digitised: true,
  }));
  const people = new People();
  const receive = () =>
    svc.dossiers.create(
      acting,
      authz,
      newDossier.parse({ ...RECEIPT_PROCEDURE, channel: 1, applicant: people.citizen(), outcome: 'receive', components }),
    );

  const xml = rawSource(def.xml);
  const plain = await driver(xml, 'source-in-state');
  const shared = await driver(xml, 'shared-source-context');
  if ((JSON.parse(await plain.start(0)) as { state: string }).state !== 'running') throw new Error('raw bpmn-engine: not waiting');

  // Warm-up, and the receipt checked: received, numbered, its process waiting at the desk's step.
  const warm = Math.max(5, Math.floor(n / 5));
  for (let i = 0; i < warm; i++) {
    const d = await receive();
    if (d.status !== 2 || d.instanceIds.length !== 1)
      throw new Error(`receipt ${d.code}: status ${d.status}, ${d.instanceIds.length} instances`);
    if (i === 0) {
      const open = await sql(svc.db.em()).all<{ activity_id: string }>(
        "SELECT activity_id FROM tasks WHERE business_key = ? AND status = 'open'",
        [d.code],
      );
      if (open.length !== 1) throw new Error(`receipt ${d.code}: ${open.length} open tasks`);
    }
  }
  const starts = (d: Driver) => (i: number) => d.start(i);
  await rate(warm, starts(plain));
  await rate(warm, starts(shared));

  // The machine is shared and drifts: the baselines run just before and just after the receipts.
  const before = [await rate(n, starts(plain)), await rate(n, starts(shared))];
  const receipts = await rate(n, receive);
  const after = [await rate(n, starts(plain)), await rate(n, starts(shared))];
  const [rawPlain, rawShared] = [pooled(before[0], after[0]), pooled(before[1], after[1])];
  const name = (s: string) => `dossier receipts (${label}, ${n} sequential, ${def.key}): ${s}`;
  const what = 'code, checklist, appointment, audit, process start';
  return [
    row(
      name(`receipts/s wall clock (${what}; ratio to raw bpmn-engine start, source in state)`),
      receipts.wall,
      'receipts/s',
      rawPlain.wall,
    ),
    row(
      name('receipts/s wall clock (ratio to raw bpmn-engine start with the parsed diagram shared, as the platform runs it)'),
      receipts.wall,
      'receipts/s',
      rawShared.wall,
    ),
    row(
      name('receipts per CPU-second of this process (ratio to raw bpmn-engine start, source in state)'),
      receipts.cpu,
      'receipts/cpu-s',
      rawPlain.cpu,
    ),
    row(
      name('raw bpmn-engine: new Engine({ source }), execute to the first wait, getState, stringify: starts/s wall clock'),
      rawPlain.wall,
      'starts/s',
    ),
    row(
      name('raw bpmn-engine, parsed diagram shared (sourceContext), source stripped from state: starts/s wall clock'),
      rawShared.wall,
      'starts/s',
    ),
  ];
}
