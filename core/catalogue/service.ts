import type { EntityManager } from '@mikro-orm/knex';
import type { Ports } from '../modules/ports.ts';
import { AppError } from '../errors.ts';
import type { Acting } from '../org/actor.ts';
import { localDate } from '../time.ts';
import { assertAgencies, assertDateOrder, assertResolved, resolveBindings } from './checks.ts';
import {
  readEffective,
  readProcedure,
  readExportable,
  readVersion,
  type ExportedProcedure,
  type ProcedureRecord,
  type ProcedureVersion,
} from './read.ts';
import { procedureDocument, type ProcedureDocument, type ProcedureDocumentInput } from './schema.ts';
import { searchProcedures, type SearchParams, type SearchResult } from './search.ts';
import { listAgencies, listSectors, type AgencyView, type SectorView } from './lists.ts';
import {
  analyzeSearchTables,
  bindingsOf,
  bumpProcedure,
  canonical,
  insertBindings,
  insertProcedure,
  insertVersion,
  parseStored,
  procedureRow,
  replaceDraft,
  setLatestVersion,
  supersede,
  updateVersion,
  upsertSectors,
  versionRows,
  type Binding,
} from './store.ts';

export type { ProcedureRecord, ProcedureVersion, ExportedProcedure } from './read.ts';
export type { Binding } from './store.ts';
export type { SearchParams, SearchResult, SearchHit } from './search.ts';
export type { AgencyView, SectorView } from './lists.ts';

export interface ImportOptions {
  source?: { packId: string; packVersion: string };
  /**
   * The pack carries dated versions of this code too (documents with `effectiveFrom`): an undated
   * document is then the one in force from today, compared with the version in force today.
   */
  series?: boolean;
}

export interface ImportOutcome {
  code: string;
  version: number;
  outcome: 'new' | 'updated' | 'unchanged';
}

/**
 * The procedure catalogue (DOMAIN §6, ADR 0009): versioned documents keyed by code. Editing a
 * published procedure opens a new draft; publishing pins each case's BPMN definition and ends
 * the previous version at the new one's effective date. Every method runs in the caller's
 * transaction (`em`) and audits what it changes there.
 */
export class Catalogue {
  constructor(private readonly svc: Pick<Ports, 'audit' | 'clock' | 'events'>) {}

  /** The procedure with all its versions (drafts included), or null. */
  get(em: EntityManager, code: string, opts: { drafts?: boolean } = {}): Promise<ProcedureRecord | null> {
    return readProcedure(em, code, opts);
  }

  version(em: EntityManager, code: string, version: number): Promise<ProcedureVersion | null> {
    return readVersion(em, code, version);
  }

  /** The version in force on a Vietnam calendar date (YYYY-MM-DD), if any. */
  effectiveOn(em: EntityManager, code: string, date: string): Promise<ProcedureVersion | null> {
    return readEffective(em, code, date);
  }

  /**
   * The version in force at an instant (default: now by the injected clock), resolved by date at
   * read time: a version published with a future `effectiveFrom` takes over by itself on that day,
   * and a dossier received before it keeps the older one.
   */
  inForce(em: EntityManager, code: string, at: Date = this.svc.clock.now()): Promise<ProcedureVersion | null> {
    return readEffective(em, code, localDate(at));
  }

  /** By default the versions in force today (Vietnam date by the injected clock). */
  search(em: EntityManager, params: SearchParams): Promise<SearchResult> {
    return searchProcedures(em, { ...params, on: params.on ?? localDate(this.svc.clock.now()) });
  }

  sectors(em: EntityManager): Promise<SectorView[]> {
    return listSectors(em);
  }

  /** The province's active units, which procedure documents name as agencies. */
  agencies(em: EntityManager, opts: { used?: boolean } = {}): Promise<AgencyView[]> {
    return listAgencies(em, localDate(this.svc.clock.now()), opts.used);
  }

  /** A new procedure as draft version 1. */
  async create(em: EntityManager, acting: Acting, input: ProcedureDocumentInput): Promise<ProcedureRecord> {
    const doc = procedureDocument.parse(input);
    assertResolved(doc);
    if (await procedureRow(em, doc.code)) throw new AppError('catalogue.exists', `Procedure ${doc.code} already exists: edit it instead`);
    const now = this.svc.clock.now();
    await insertProcedure(em, doc.code, 'draft', now);
    await insertVersion(em, acting, { version: 1, status: 'draft', doc }, now);
    await this.audit(em, acting, 'procedure.created', doc.code, { version: 1, name: doc.name });
    return (await readProcedure(em, doc.code))!;
  }

  /** Saves the open draft, or opens draft n+1 when the latest version is published or retired. */
  async saveDraft(
    em: EntityManager,
    acting: Acting,
    code: string,
    edit: { lockVersion: number; document: ProcedureDocumentInput },
  ): Promise<ProcedureRecord> {
    const doc = procedureDocument.parse(edit.document);
    if (doc.code !== code)
      throw new AppError('catalogue.code_mismatch', `document.code: "${doc.code}" is not ${code} (a new code is a new procedure)`, {
        issues: [{ path: 'document.code', message: `must be ${code}` }],
      });
    assertResolved(doc);
    const p = await this.lock(em, code, edit.lockVersion, {});
    const now = this.svc.clock.now();
    const [draft] = await versionRows(em, code, { status: 'draft' });
    let version: number;
    if (draft) {
      version = draft.version;
      await replaceDraft(em, acting, draft.id, doc, now);
    } else {
      version = p.latestVersion + 1;
      await insertVersion(em, acting, { version, status: 'draft', doc }, now);
      await setLatestVersion(em, code, version);
    }
    await this.audit(em, acting, 'procedure.draft_saved', code, { version, newVersion: !draft });
    return (await readProcedure(em, code))!;
  }

  /**
   * Publishes the open draft from `effectiveFrom` (default: today in Vietnam). Refused when a
   * case's process is not deployed or an agency code is not a unit.
   */
  async publish(
    em: EntityManager,
    acting: Acting,
    code: string,
    opts: { lockVersion: number; effectiveFrom?: string },
  ): Promise<ProcedureRecord> {
    const p = await procedureRow(em, code);
    if (!p) throw new AppError('catalogue.not_found', `No procedure ${code}`);
    const [draft] = await versionRows(em, code, { status: 'draft' });
    if (!draft) throw new AppError('catalogue.no_draft', `Procedure ${code} has no draft: edit it first`);
    const doc = parseStored(draft.document);
    const now = this.svc.clock.now();
    const today = localDate(now);
    const effectiveFrom = opts.effectiveFrom ?? (doc.effectiveFrom && doc.effectiveFrom > today ? doc.effectiveFrom : today);
    const bindings = await this.checkPublishable(em, doc, now);
    const [current] = await versionRows(em, code, { status: 'published' });
    if (current?.effectiveFrom && effectiveFrom < current.effectiveFrom) {
      throw new AppError(
        'catalogue.invalid_dates',
        `effectiveFrom: ${effectiveFrom} is before ${current.effectiveFrom}, when version ${current.version} took effect`,
        {
          issues: [{ path: 'effectiveFrom', message: `not before ${current.effectiveFrom}` }],
        },
      );
    }
    await this.lock(em, code, opts.lockVersion, { status: 'published', publishedVersion: draft.version });
    const previous = await supersede(em, acting, code, draft.version, effectiveFrom, now);
    await updateVersion(em, draft.id, {
      status: 'published',
      effectiveFrom,
      publishedAt: now,
      publishedBy: acting.actor.id,
      publishedByName: acting.actor.name,
      updatedAt: now,
      updatedByName: acting.actor.name,
    });
    await insertBindings(em, code, draft.version, bindings);
    await upsertSectors(em, doc, now);
    await this.audit(em, acting, 'procedure.published', code, { version: draft.version, effectiveFrom, previous, bindings });
    await this.svc.events.publish(
      em,
      'procedure.published',
      { code, version: draft.version, effectiveFrom, previous, via: 'publish' },
      acting,
    );
    return (await readProcedure(em, code))!;
  }

  /** Ends the published version: from `effectiveTo` (default today) it no longer applies. */
  async retire(
    em: EntityManager,
    acting: Acting,
    code: string,
    opts: { lockVersion: number; effectiveTo?: string },
  ): Promise<ProcedureRecord> {
    const p = await procedureRow(em, code);
    if (!p) throw new AppError('catalogue.not_found', `No procedure ${code}`);
    const [current] = await versionRows(em, code, { status: 'published' });
    if (!current) throw new AppError('catalogue.not_published', `Procedure ${code} has no published version to retire`);
    const now = this.svc.clock.now();
    const effectiveTo = opts.effectiveTo ?? localDate(now);
    assertDateOrder(current.effectiveFrom ?? null, effectiveTo, 'effectiveTo');
    await this.lock(em, code, opts.lockVersion, { status: 'retired', publishedVersion: null });
    await updateVersion(em, current.id, {
      status: 'retired',
      effectiveTo,
      retiredAt: now,
      retiredBy: acting.actor.id,
      retiredByName: acting.actor.name,
      updatedAt: now,
      updatedByName: acting.actor.name,
    });
    await this.audit(em, acting, 'procedure.retired', code, { version: current.version, effectiveTo });
    return (await readProcedure(em, code))!;
  }

  /**
   * Pack import, after the pack's diagrams were deployed: the document becomes the published
   * version unless the published one is equal (same document, same pinned definitions).
   * An open draft is left as it is; running dossiers keep the version they started with.
   */
  async importPublished(
    em: EntityManager,
    acting: Acting,
    input: ProcedureDocument | ProcedureDocumentInput,
    opts: ImportOptions = {},
  ): Promise<ImportOutcome> {
    const doc = procedureDocument.parse(input);
    const now = this.svc.clock.now();
    const bindings = await this.checkPublishable(em, doc, now);
    const today = localDate(now);
    const source = opts.source ?? null;
    const p = await procedureRow(em, doc.code);
    if (!p) {
      await insertProcedure(em, doc.code, 'published', now);
      const effectiveFrom = doc.effectiveFrom && doc.effectiveFrom > today ? doc.effectiveFrom : today;
      await insertVersion(em, acting, { version: 1, status: 'published', doc, effectiveFrom, source }, now);
      await insertBindings(em, doc.code, 1, bindings);
      await upsertSectors(em, doc, now);
      await this.audit(em, acting, 'procedure.imported', doc.code, { version: 1, outcome: 'new', source, bindings });
      await this.svc.events.publish(
        em,
        'procedure.published',
        { code: doc.code, version: 1, effectiveFrom, previous: null, via: 'import' },
        acting,
      );
      return { code: doc.code, version: 1, outcome: 'new' };
    }
    const [current] = await versionRows(em, doc.code, { status: 'published' });
    // A dated document (or one of a dated series) is compared with the version in force on its date.
    const dated = doc.effectiveFrom !== undefined || opts.series === true;
    const from = doc.effectiveFrom && doc.effectiveFrom > today ? doc.effectiveFrom : today;
    const compared = dated ? (await versionRows(em, doc.code, { effectiveOn: from })).at(-1) : current;
    if (
      compared &&
      canonical(parseStored(compared.document)) === canonical(doc) &&
      canonical(await bindingsOf(em, doc.code, compared.version)) === canonical(bindings)
    ) {
      return { code: doc.code, version: compared.version, outcome: 'unchanged' };
    }
    const version = p.latestVersion + 1;
    const effectiveFrom = dated ? from : current?.effectiveFrom && current.effectiveFrom > today ? current.effectiveFrom : today;
    await this.lock(em, doc.code, p.lockVersion, { status: 'published', latestVersion: version, publishedVersion: version });
    const previous = await supersede(em, acting, doc.code, version, effectiveFrom, now);
    await insertVersion(em, acting, { version, status: 'published', doc, effectiveFrom, source }, now);
    await insertBindings(em, doc.code, version, bindings);
    await upsertSectors(em, doc, now);
    await this.audit(em, acting, 'procedure.imported', doc.code, { version, outcome: 'updated', previous, source, bindings });
    await this.svc.events.publish(em, 'procedure.published', { code: doc.code, version, effectiveFrom, previous, via: 'import' }, acting);
    return { code: doc.code, version, outcome: 'updated' };
  }

  /**
   * Of every procedure (or of the codes named: each must have one), the version in force today
   * and those published to apply later.
   */
  async exportPublished(em: EntityManager, codes?: string[]): Promise<ExportedProcedure[]> {
    const { found, missing } = await readExportable(em, localDate(this.svc.clock.now()), codes);
    if (missing.length) throw new AppError('catalogue.not_found', `No published version of ${missing.join(', ')}`, { codes: missing });
    return found;
  }

  /**
   * Refreshes the query planner's statistics of the search tables: worth calling after a bulk
   * import (PostgreSQL's autovacuum would do it within minutes; plans without them are slow).
   */
  async analyze(em: EntityManager): Promise<void> {
    await analyzeSearchTables(em);
  }

  private async checkPublishable(em: EntityManager, doc: ProcedureDocument, now: Date): Promise<Binding[]> {
    assertResolved(doc);
    await assertAgencies(em, doc, localDate(now));
    return resolveBindings(em, doc);
  }

  /** Moves the optimistic lock from `expected`, or refuses (409) with nothing changed. */
  private async lock(em: EntityManager, code: string, expected: number, set: Parameters<typeof bumpProcedure>[3]) {
    const p = await procedureRow(em, code);
    if (!p) throw new AppError('catalogue.not_found', `No procedure ${code}`);
    if (p.lockVersion !== expected || !(await bumpProcedure(em, code, expected, set, this.svc.clock.now()))) {
      throw new AppError(
        'conflict.stale',
        `Procedure ${code} is at lock version ${p.lockVersion}, you edited ${expected}: reload and retry`,
        { currentLockVersion: p.lockVersion },
      );
    }
    return p;
  }

  private audit(em: EntityManager, acting: Acting, action: string, code: string, summary: Record<string, unknown>): Promise<void> {
    return this.svc.audit.append(em, { ...acting, action, targetType: 'procedure', targetId: code, summary });
  }
}

// Application services of the catalogue routes: each change in its own transaction (with its
// audit record and events), so the routes only check the grant, parse and answer.

export const createProcedure = (
  svc: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'db' | 'events'>,
  acting: Acting,
  input: ProcedureDocumentInput,
) => svc.db.em().transactional((em) => svc.catalogue.create(em, acting, input));
export const saveProcedureDraft = (
  svc: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'db' | 'events'>,
  acting: Acting,
  code: string,
  edit: Parameters<Catalogue['saveDraft']>[3],
) => svc.db.em().transactional((em) => svc.catalogue.saveDraft(em, acting, code, edit));
export const publishProcedure = (
  svc: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'db' | 'events'>,
  acting: Acting,
  code: string,
  opts: Parameters<Catalogue['publish']>[3],
) => svc.db.em().transactional((em) => svc.catalogue.publish(em, acting, code, opts));
export const retireProcedure = (
  svc: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'db' | 'events'>,
  acting: Acting,
  code: string,
  opts: Parameters<Catalogue['retire']>[3],
) => svc.db.em().transactional((em) => svc.catalogue.retire(em, acting, code, opts));
