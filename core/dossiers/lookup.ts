import { timingSafeEqual } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import type { Ports } from '../modules/ports.ts';
import { Dossier } from './entities.ts';
import { statusChanges } from './history.ts';
import { INDICATOR_KEYS, type EvaluationInput, type IndicatorScores, type LookupInput } from './evaluation-model.ts';
import { date, time } from './forms/helpers.ts';
import { DossierEvaluation } from './lookup-entities.ts';
import { countLookupAttempt } from './lookup-throttle.ts';
import { STATUS, statusNames } from './model.ts';

/**
 * The public lookup (docs/dossiers.md § Public lookup): anyone with a dossier code and the
 * last four digits of its applicant's ID number or phone reads the dossier's status, and,
 * once the result is returned, evaluates it once. No sign-in, so:
 *
 * - the answer holds only what the applicant's receipt already says (code, procedure, status,
 *   received, appointment) and the timeline in plain Vietnamese: never a name, an ID number,
 *   an address, a reason written by staff, or an internal id;
 * - a code that does not exist and a wrong secret give the same answer (404
 *   `dossier.lookup_failed`, same detail), after the same work: the attempt is counted
 *   (lookup-throttle.ts), the same one read by code, both secrets compared in constant time;
 * - every attempt is rate-limited per client and per code.
 */

/** One line of the public timeline: when, and what happened in plain Vietnamese. */
export interface PublicLine {
  at: string;
  text: string;
}

/**
 * A source of timeline lines: the status history, and the hand-overs between units
 * (lookup-hops.ts), listed in `DossierLookup`'s constructor by the module; at the same instant
 * lines keep the order of their sources. A source must say only what the applicant may read:
 * no staff names or notes.
 */
export type TimelineSource = (em: EntityManager, dossier: { id: string; code: string }) => Promise<PublicLine[]>;

/** What the lookup answers: exactly these fields. */
export interface LookupView {
  code: string;
  status: number;
  statusName: string;
  procedureName: string;
  receivedAt: string | null;
  appointmentAt: string | null;
  history: PublicLine[];
  /** `not_yet` before the result is returned (status 10), `open` after, `done` once evaluated. */
  evaluation: 'not_yet' | 'open' | 'done';
}

export interface EvaluationView {
  code: string;
  indicators: IndicatorScores;
  totalPoints: number;
  satisfaction: number;
  evaluatedAt: string;
}

/** What each status change means to the applicant. */
export const statusLines: Record<number, string> = {
  1: 'Hồ sơ đã được nộp trực tuyến, đang chờ tiếp nhận.',
  2: 'Hồ sơ đã được tiếp nhận.',
  3: 'Hồ sơ bị từ chối tiếp nhận.',
  4: 'Hồ sơ đang được xử lý.',
  5: 'Cơ quan yêu cầu bổ sung, hoàn thiện hồ sơ.',
  6: 'Cơ quan yêu cầu thực hiện nghĩa vụ tài chính.',
  7: 'Hồ sơ đã được rút theo đề nghị của người nộp.',
  8: 'Hồ sơ bị dừng xử lý.',
  9: 'Hồ sơ đã được giải quyết, đang chờ trả kết quả.',
  10: 'Kết quả đã được trả cho người nộp.',
};

/** "06/03/2026 16:40", Vietnam time. */
export const localTime = (at: Date | string) => `${date(at)} ${time(at)}`;

/** The status history as public lines (who changed it and why stay inside). */
export const statusHistory: TimelineSource = async (em, dossier) => {
  const rows = await statusChanges(em, dossier.id);
  return rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    text: `${localTime(r.at)}: ${statusLines[r.toStatus] ?? statusNames[r.toStatus] ?? `Trạng thái ${r.toStatus}`}`,
  }));
};

const failed = () =>
  new AppError(
    'dossier.lookup_failed',
    'No dossier matches this code and these digits: check the code on the receipt and the last four digits of the ID number or phone given at submission',
  );

/** Never equal to four digits: stands in for a missing dossier or a value with fewer than four digits. */
const NO_DIGITS = Buffer.from('\0\0\0\0');
function lastFour(value: string | null | undefined): Buffer {
  const digits = (value ?? '').replace(/\D/g, '');
  return digits.length >= 4 ? Buffer.from(digits.slice(-4)) : NO_DIGITS;
}

/** Both comparisons always run, in constant time, whether or not there is a dossier. */
function secretMatches(secret: string, dossier: Dossier | null): boolean {
  const typed = Buffer.from(secret.padEnd(4, '\0').slice(0, 4));
  const byId = timingSafeEqual(typed, lastFour(dossier?.applicantIdNumber));
  const byPhone = timingSafeEqual(typed, lastFour(dossier?.applicantPhone));
  return dossier !== null && (byId || byPhone);
}

/** The applicant who evaluates, as the audit trail names them (no account). */
const APPLICANT = { id: null, name: 'người nộp hồ sơ (tra cứu công khai)' };

export class DossierLookup {
  constructor(
    private readonly svc: Pick<Ports, 'db' | 'clock' | 'audit'>,
    private readonly sources: TimelineSource[] = [statusHistory],
  ) {}

  /** The same one read for every code: as typed, or capitalised. */
  private async find(em: EntityManager, code: string): Promise<Dossier | null> {
    const typed = code.trim();
    const found = await em.find(Dossier, { code: { $in: [...new Set([typed, typed.toUpperCase()])] } }, { limit: 2 });
    return found.find((d) => d.code === typed) ?? found[0] ?? null;
  }

  /** Counts the attempt, then finds the dossier the code and secret open, or fails alike for a wrong code and a wrong secret. */
  private async open(em: EntityManager, input: LookupInput): Promise<Dossier> {
    const dossier = await this.find(em, input.code);
    if (!secretMatches(input.secret, dossier)) throw failed();
    return dossier!;
  }

  /** `subject`: the client as its rate limit counts it (client-address.ts). */
  async lookup(subject: string, input: LookupInput): Promise<LookupView> {
    await countLookupAttempt(this.svc, subject, input.code);
    const em = this.svc.db.em();
    const dossier = await this.open(em, input);
    const lines: PublicLine[] = [];
    for (const source of this.sources) lines.push(...(await source(em, dossier)));
    lines.sort((a, b) => a.at.localeCompare(b.at));
    const evaluated = dossier.status === STATUS.delivered ? await em.count(DossierEvaluation, { dossierId: dossier.id }) : 0;
    return {
      code: dossier.code,
      status: dossier.status,
      statusName: statusNames[dossier.status] ?? String(dossier.status),
      procedureName: dossier.procedureName,
      receivedAt: dossier.receivedAt ? new Date(dossier.receivedAt).toISOString() : null,
      appointmentAt: dossier.appointmentAt ? new Date(dossier.appointmentAt).toISOString() : null,
      history: lines,
      evaluation: dossier.status !== STATUS.delivered ? 'not_yet' : evaluated > 0 ? 'done' : 'open',
    };
  }

  /** The applicant's one evaluation of a returned dossier (status 10). */
  async evaluate(subject: string, requestId: string | null, input: EvaluationInput): Promise<EvaluationView> {
    await countLookupAttempt(this.svc, subject, input.code);
    try {
      return await this.svc.db.em().transactional(async (em) => {
        const dossier = await this.open(em, input);
        if (dossier.status !== STATUS.delivered) {
          throw new AppError('dossier.evaluation_not_open', 'A dossier is evaluated once its result has been returned (status 10)', {
            status: dossier.status,
          });
        }
        if ((await em.count(DossierEvaluation, { dossierId: dossier.id })) > 0) throw evaluated();
        const now = this.svc.clock.now();
        const totalPoints = INDICATOR_KEYS.reduce((sum, k) => sum + input.indicators[k], 0);
        em.create(DossierEvaluation, {
          id: crypto.randomUUID(),
          dossierId: dossier.id,
          ...input.indicators,
          totalPoints,
          satisfaction: input.satisfaction,
          evaluatedAt: now,
        });
        await em.flush();
        await this.svc.audit.append(em, {
          actor: APPLICANT,
          requestId,
          action: 'dossier.evaluated',
          targetType: 'dossier',
          targetId: dossier.id,
          unitId: dossier.unitId,
          summary: { code: dossier.code, totalPoints, satisfaction: input.satisfaction },
        });
        return {
          code: dossier.code,
          indicators: input.indicators,
          totalPoints,
          satisfaction: input.satisfaction,
          evaluatedAt: now.toISOString(),
        };
      });
    } catch (err) {
      // Two evaluations at once: the unique key on dossier_id refuses the second.
      if (err instanceof UniqueConstraintViolationException) throw evaluated();
      throw err;
    }
  }
}

const evaluated = () => new AppError('dossier.evaluation_exists', 'This dossier has already been evaluated');
