import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { msg, updateWhenLocaleChanges } from '@lit/localize';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/checkbox/checkbox.js';
import '@shoelace-style/shoelace/dist/components/input/input.js';
import '@shoelace-style/shoelace/dist/components/radio/radio.js';
import '@shoelace-style/shoelace/dist/components/radio-group/radio-group.js';
import '@shoelace-style/shoelace/dist/components/textarea/textarea.js';
import { api, ApiError, type Schemas } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import { fill } from '../i18n/fill.ts';
import { formatDateTime, formatMoney } from '../i18n/format.ts';
import { shared } from './shared-styles.ts';
import {
  CHANNEL_NAME,
  STEPS,
  emailOk,
  emptyDraft,
  feesDue,
  idNumberOk,
  lines,
  loadDraft,
  missingDocuments,
  parseCount,
  parseMoney,
  parseVnDate,
  phoneOk,
  saveDraft,
  type Applicant,
  type ComponentTick,
  type Decision,
  type Draft,
  type ProcedureCase,
  type ProcedureDocument,
  type Step,
} from './intake-model.ts';
import { receiptProblems, type Problem } from './intake-problems.ts';
import { channelLabel, formName, kindLabel, modeLabel, sexLabel, stepTitle, timeLimit } from './intake-labels.ts';
import { intakeStyles } from './intake-styles.ts';

/** The steps as the address bar names them (/app/tiep-nhan?buoc=…), so the browser's Back goes one step back. */
const SLUG: Record<Step, string> = {
  procedure: 'thu-tuc',
  case: 'truong-hop',
  checklist: 'giay-to',
  applicant: 'nguoi-nop',
  fees: 'phi',
  check: 'kiem-tra',
  done: 'ket-qua',
};
const FORM_FOR: Record<Decision, '01' | '02' | '03'> = { receive: '01', request_supplement: '02', refuse: '03' };

interface Outcome {
  dossier: Schemas['Dossier'];
  decision: Decision;
  form: '01' | '02' | '03';
  formHtml: string;
  formError: string;
}

/**
 * Tiếp nhận hồ sơ: the desk's intake wizard (issue 16). Procedure → case and channel → checklist →
 * applicant → fees → check your answers with the decision (receive, request a supplement, refuse)
 * → POST /api/dossiers → the code, the appointment and form 01, 02 or 03 ready to print.
 * Everything typed is kept on Back (the step is in the address, so the browser's Back works too),
 * across a new sign-in (the page stays as it is), and in this tab's sessionStorage.
 */
export class IntakeWizard extends LitElement {
  static override properties = {
    d: { state: true },
    hits: { state: true },
    searched: { state: true },
    problems: { state: true },
    busy: { state: true },
    outcome: { state: true },
    candidates: { state: true },
    username: { attribute: false },
  };
  static override styles = [shared, intakeStyles];
  declare d: Draft;
  declare hits: Schemas['ProcedureHit'][];
  declare searched: boolean;
  declare problems: Problem[];
  declare busy: boolean;
  declare outcome: Outcome | null;
  declare candidates: { code: string; name: string }[];
  /** Who is signed in: the draft kept in this tab is theirs alone. */
  declare username: string;

  constructor() {
    super();
    this.username = '';
    this.d = emptyDraft();
    this.hits = [];
    this.searched = false;
    this.problems = [];
    this.busy = false;
    this.outcome = null;
    this.candidates = [];
    updateWhenLocaleChanges(this);
  }

  private readonly onPopState = () => {
    const slug = new URLSearchParams(location.search).get('buoc');
    const step = STEPS.find((s) => SLUG[s] === slug) ?? 'procedure';
    if (location.pathname !== '/app/tiep-nhan') return;
    this.problems = [];
    // Steps after the first need a procedure; the result page needs a result.
    if ((step !== 'procedure' && !this.d.procedure && step !== 'done') || (step === 'done' && !this.outcome)) this.show('procedure', false);
    else this.show(step, false);
  };

  override connectedCallback() {
    super.connectedCallback();
    this.d = loadDraft(this.username) ?? emptyDraft();
    if (this.d.step === 'done') this.d = { ...this.d, step: 'procedure' };
    addEventListener('popstate', this.onPopState);
    history.replaceState(history.state, '', `/app/tiep-nhan?buoc=${SLUG[this.d.step]}`);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    removeEventListener('popstate', this.onPopState);
  }

  // ——— state ———

  private patch(patch: Partial<Draft>) {
    this.d = { ...this.d, ...patch };
    saveDraft(this.username, this.d);
  }

  private applicant(patch: Partial<Applicant>) {
    this.patch({ applicant: { ...this.d.applicant, ...patch } });
  }

  private tick(i: number, patch: Partial<ComponentTick>) {
    const components = this.d.components.map((c, j) => (j === i ? { ...c, ...patch } : c));
    this.patch({ components });
  }

  private kase(): ProcedureCase | undefined {
    return this.d.procedure?.cases.find((c) => c.key === this.d.caseKey);
  }

  private channelTerms() {
    return this.kase()?.channels.find((c) => c.channel === CHANNEL_NAME[this.d.channel]);
  }

  /** Goes to a step: the address follows (pushed, so Back returns), the heading takes the focus. */
  private async show(step: Step, push = true) {
    this.patch({ step });
    if (push) history.pushState(null, '', `/app/tiep-nhan?buoc=${SLUG[step]}`);
    await this.updateComplete;
    // A new step starts at the top of the page, not where the long checklist left the scroll.
    scrollTo(0, 0);
    (this.renderRoot.querySelector('h1') as HTMLElement | null)?.focus();
  }

  private async report(problems: Problem[]) {
    this.problems = problems;
    await this.updateComplete;
    (this.renderRoot.querySelector('.error-summary') as HTMLElement | null)?.focus();
  }

  private async goToField(e: Event, p: Problem) {
    e.preventDefault();
    if (this.d.step !== p.step) await this.show(p.step);
    await this.updateComplete;
    const el = this.renderRoot.querySelector(`#${p.field}`) as HTMLElement | null;
    el?.focus();
    el?.scrollIntoView({ block: 'center' });
  }

  private error(field: string): string | undefined {
    return this.problems.find((p) => p.step === this.d.step && p.field === field)?.text;
  }

  // ——— steps ———

  private async search(e: Event) {
    e.preventDefault();
    const q = this.d.query.trim();
    if (!q)
      return this.report([{ step: 'procedure', field: 'q', text: msg('Nhập tên hoặc mã thủ tục để tìm.', { id: 'intake.need_query' }) }]);
    try {
      const found = await api.get('/api/procedures', { query: { q, limit: 10 } });
      this.hits = found.items;
      this.problems = [];
    } catch (err) {
      return this.report([{ step: 'procedure', field: 'q', text: err instanceof ApiError ? problemMessage(err) : String(err) }]);
    }
    this.searched = true;
    await this.updateComplete;
    (this.renderRoot.querySelector('.hit') as HTMLElement | null)?.focus();
  }

  private async pick(code: string) {
    try {
      const procedure = await api.get('/api/procedures/{code}', { params: { code } });
      const doc = procedure.current.document as unknown as ProcedureDocument;
      const same = this.d.procedure?.code === doc.code;
      const only = doc.cases.length === 1 ? doc.cases[0]!.key : '';
      this.patch({
        procedure: doc,
        caseKey: same ? this.d.caseKey : only,
        competentUnitId: same ? this.d.competentUnitId : '',
        components: same ? this.d.components : [],
      });
      if (!same) this.candidates = [];
      if (this.d.caseKey) this.ensureComponents();
      this.problems = [];
      await this.show('case');
    } catch (err) {
      await this.report([{ step: 'procedure', field: 'q', text: err instanceof ApiError ? problemMessage(err) : String(err) }]);
    }
  }

  /** The checklist of the chosen case: the required counts filled in, nothing ticked yet. */
  private ensureComponents() {
    const docs = this.kase()?.documents ?? [];
    if (this.d.components.length === docs.length) return;
    this.patch({ components: docs.map((doc) => ({ received: false, originals: String(doc.originals), copies: String(doc.copies) })) });
  }

  private chooseCase(key: string) {
    if (key === this.d.caseKey) return;
    this.patch({ caseKey: key, components: [] });
    this.ensureComponents();
    const offered = this.kase()?.channels.map((c) => c.channel) ?? [];
    if (!offered.includes(CHANNEL_NAME[this.d.channel])) this.patch({ channel: offered.includes('in_person') ? 1 : 3 });
  }

  private next(e: Event) {
    e.preventDefault();
    const problems = this.check(this.d.step);
    if (problems.length) return void this.report(problems);
    this.problems = [];
    const at = STEPS.indexOf(this.d.step);
    void this.show(STEPS[at + 1]!);
  }

  private back() {
    this.problems = [];
    history.back();
  }

  /** What must be put right before leaving a step (the API checks again). */
  private check(step: Step): Problem[] {
    const p: Problem[] = [];
    const d = this.d;
    if (step === 'procedure' && !d.procedure)
      p.push({ step, field: 'q', text: msg('Tìm và chọn một thủ tục.', { id: 'intake.need_procedure' }) });
    if (step === 'case') {
      if (!this.kase()) p.push({ step, field: 'case', text: msg('Chọn trường hợp của hồ sơ.', { id: 'intake.need_case' }) });
      else if (!this.channelTerms())
        p.push({ step, field: 'channel', text: msg('Chọn hình thức nộp hồ sơ.', { id: 'intake.need_channel' }) });
      if (this.candidates.length && !d.competentUnitId)
        p.push({ step, field: 'competentUnitId', text: msg('Chọn cơ quan giải quyết hồ sơ.', { id: 'intake.need_competent' }) });
    }
    if (step === 'checklist') {
      d.components.forEach((c, i) => {
        if (parseCount(c.originals) === null)
          p.push({
            step,
            field: `doc-${i}-originals`,
            text: fill(msg('Giấy tờ số {n}: số bản chính là một số từ 0 đến 100.', { id: 'intake.bad_originals' }), { n: i + 1 }),
          });
        if (parseCount(c.copies) === null)
          p.push({
            step,
            field: `doc-${i}-copies`,
            text: fill(msg('Giấy tờ số {n}: số bản sao là một số từ 0 đến 100.', { id: 'intake.bad_copies' }), { n: i + 1 }),
          });
      });
    }
    if (step === 'applicant') {
      const a = d.applicant;
      if (!a.name.trim()) p.push({ step, field: 'name', text: msg('Nhập họ và tên người nộp.', { id: 'intake.need_name' }) });
      if (!a.idNumber.trim())
        p.push({
          step,
          field: 'idNumber',
          text: msg('Nhập số định danh cá nhân (hoặc mã số của tổ chức).', { id: 'intake.need_id_number' }),
        });
      else if (!idNumberOk(a.kind, a.idNumber))
        p.push({
          step,
          field: 'idNumber',
          text:
            a.kind === 'citizen'
              ? msg('Số định danh cá nhân gồm đúng 12 chữ số, như trên thẻ căn cước.', { id: 'intake.bad_id_number' })
              : msg('Mã số của tổ chức gồm 6 đến 32 chữ cái, chữ số hoặc dấu gạch ngang.', { id: 'intake.bad_org_code' }),
        });
      if (a.birthDate.trim() && !parseVnDate(a.birthDate))
        p.push({
          step,
          field: 'birthDate',
          text: msg('Ngày sinh phải là một ngày có thật, không sau hôm nay, viết ngày/tháng/năm, ví dụ 07/03/1990.', {
            id: 'intake.bad_birth_date',
          }),
        });
      if (a.phone.trim() && !phoneOk(a.phone))
        p.push({
          step,
          field: 'phone',
          text: msg('Số điện thoại không hợp lệ: chỉ gồm chữ số, ví dụ 0912345678.', { id: 'intake.problem.phone' }),
        });
      if (a.email.trim() && !emailOk(a.email))
        p.push({
          step,
          field: 'email',
          text: msg('Thư điện tử không hợp lệ: hãy nhập dạng ten@vi-du.vn.', { id: 'intake.problem.email' }),
        });
    }
    if (step === 'fees' && d.paid.trim() && parseMoney(d.paid) === null)
      p.push({ step, field: 'paid', text: msg('Số tiền đã nộp là một số đồng, ví dụ 50.000.', { id: 'intake.bad_paid' }) });
    if (step === 'check') {
      const missing = missingDocuments(this.kase(), d.components);
      if (!d.decision)
        p.push({ step, field: 'decision', text: msg('Chọn tiếp nhận, yêu cầu bổ sung hoặc từ chối.', { id: 'intake.need_decision' }) });
      else if (d.decision === 'receive' && missing.length)
        p.push({
          step,
          field: 'decision',
          text: fill(
            msg('Chưa thể tiếp nhận vì còn thiếu: {missing}. Hãy chọn «Yêu cầu bổ sung hồ sơ», hoặc đánh dấu giấy tờ đã nhận.', {
              id: 'intake.problem.incomplete',
            }),
            { missing: missing.join('; ') },
          ),
        });
      else if (d.decision === 'refuse' && !lines(d.reasons).length)
        p.push({ step, field: 'reasons', text: msg('Nhập lý do từ chối.', { id: 'intake.need_reasons' }) });
      else if (d.decision === 'request_supplement' && !missing.length && !lines(d.missing).length)
        p.push({ step, field: 'missing', text: msg('Ghi những gì người nộp cần bổ sung.', { id: 'intake.need_missing' }) });
    }
    return p;
  }

  private body() {
    const d = this.d;
    const a = d.applicant;
    const decision = d.decision as Decision;
    const opt = (v: string) => (v.trim() ? v.trim() : undefined);
    return {
      procedureCode: d.procedure!.code,
      caseKey: d.caseKey,
      channel: d.channel,
      competentUnitId: opt(d.competentUnitId),
      outcome: decision,
      applicant: {
        kind: a.kind,
        name: a.name.trim(),
        idNumber: opt(a.idNumber),
        sex: a.sex || undefined,
        birthDate: a.birthDate.trim() ? (parseVnDate(a.birthDate) ?? a.birthDate) : undefined,
        phone: opt(a.phone),
        email: opt(a.email),
        address: opt(a.address),
      },
      fees: { paid: parseMoney(d.paid) ?? 0, mode: d.mode },
      components: d.components.map((c, document) =>
        c.received
          ? { document, received: true, originals: parseCount(c.originals) ?? 0, copies: parseCount(c.copies) ?? 0 }
          : { document, received: false },
      ),
      reasons: decision === 'refuse' ? lines(d.reasons) : undefined,
      missing: decision === 'request_supplement' && lines(d.missing).length ? lines(d.missing) : undefined,
      note: opt(d.note),
    };
  }

  private async submit(e: Event) {
    e.preventDefault();
    if (this.busy) return;
    const problems = (['case', 'applicant', 'fees', 'check'] as const).flatMap((s) => this.check(s));
    if (problems.length) return this.report(problems);
    this.busy = true;
    try {
      const dossier = await api.post('/api/dossiers', { body: this.body() });
      const decision = this.d.decision as Decision;
      const form = FORM_FOR[decision];
      this.outcome = { dossier, decision, form, formHtml: '', formError: '' };
      this.problems = [];
      this.hits = [];
      this.searched = false;
      this.candidates = [];
      this.d = { ...emptyDraft(), step: 'done' };
      saveDraft(this.username, null);
      await this.show('done');
      await this.loadForm();
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'dossier.competent_unit_required' || err.code === 'dossier.not_competent_unit')) {
        const codes = Array.isArray(err.extra.candidates) ? err.extra.candidates.map(String) : [];
        const named = [...(this.d.procedure?.agencies.competent ?? []), ...(this.d.procedure?.agencies.implementing ?? [])];
        this.candidates = codes.map((code) => ({ code, name: named.find((a) => a.code === code)?.name ?? code }));
      }
      await this.report(receiptProblems(err));
    } finally {
      this.busy = false;
    }
  }

  /** The form's printable page, shown in a frame of this page (its own address may not be framed) and printed from there. */
  private async loadForm() {
    const o = this.outcome;
    if (!o) return;
    try {
      const res = await fetch(`/api/dossiers/${encodeURIComponent(o.dossier.code)}/forms/${o.form}`, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(String(res.status));
      this.outcome = { ...o, formHtml: await res.text() };
    } catch {
      this.outcome = {
        ...o,
        formError: msg('Chưa tải được mẫu để in. Hãy dùng liên kết «Mở mẫu trong cửa sổ mới».', { id: 'intake.form_failed' }),
      };
    }
  }

  private print() {
    const frame = this.renderRoot.querySelector('iframe.form') as HTMLIFrameElement | null;
    frame?.contentWindow?.focus();
    frame?.contentWindow?.print();
  }

  private async again() {
    this.outcome = null;
    this.d = emptyDraft();
    saveDraft(this.username, this.d);
    await this.show('procedure');
  }

  // ——— rendering ———

  override render() {
    const step = this.d.step;
    const n = STEPS.indexOf(step) + 1;
    return html`${
      step === 'done'
        ? nothing
        : html`<p class="caption">${fill(msg('Tiếp nhận hồ sơ · Bước {n} trên {total}', { id: 'intake.caption' }), { n, total: STEPS.length - 1 })}</p>`
    }
      <h1 tabindex="-1">${step === 'done' ? this.doneTitle() : stepTitle(step)}</h1>
      ${this.summary()} ${this.step(step)}`;
  }

  private summary() {
    if (!this.problems.length) return nothing;
    return html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="summary-title">
      <h2 id="summary-title">${msg('Cần sửa trước khi tiếp tục', { id: 'intake.summary' })}</h2>
      <ul>
        ${this.problems.map((p) => html`<li><a href="#${p.field}" @click=${(e: Event) => this.goToField(e, p)}>${p.text}</a></li>`)}
      </ul>
    </div>`;
  }

  private step(step: Step): TemplateResult {
    switch (step) {
      case 'procedure':
        return this.procedureStep();
      case 'case':
        return this.caseStep();
      case 'checklist':
        return this.checklistStep();
      case 'applicant':
        return this.applicantStep();
      case 'fees':
        return this.feesStep();
      case 'check':
        return this.checkStep();
      case 'done':
        return this.doneStep();
    }
  }

  private actions(primary: string) {
    return html`<div class="actions">
      <sl-button type="submit" variant="primary" ?loading=${this.busy}>${primary}</sl-button>
      ${this.d.step === 'procedure' ? nothing : html`<button type="button" class="back" @click=${this.back}>${msg('Quay lại', { id: 'intake.back' })}</button>`}
      ${
        this.d.procedure
          ? html`<button type="button" class="back restart" @click=${this.again}>${msg('Bỏ hồ sơ này, làm lại từ đầu', { id: 'intake.restart' })}</button>`
          : nothing
      }
    </div>`;
  }

  private procedureStep() {
    const chosen = this.d.procedure;
    const err = this.error('q');
    return html`${
      chosen
        ? html`<div class="chosen">
            <p>${msg('Thủ tục đã chọn', { id: 'intake.chosen' })}: <strong>${chosen.code} · ${chosen.name}</strong></p>
          </div>`
        : nothing
    }
      <form role="search" class="search" novalidate @submit=${this.search}>
        <sl-input
          id="q"
          name="q"
          class=${err ? 'invalid' : ''}
          label=${msg('Tên hoặc mã thủ tục', { id: 'intake.q' })}
          help-text=${err ?? msg('Có thể gõ không dấu, ví dụ: khai sinh, ho kinh doanh, 2.000908', { id: 'intake.q_hint' })}
          autocomplete="off"
          .value=${this.d.query}
          @sl-input=${(e: Event) => this.patch({ query: (e.target as HTMLInputElement).value })}
        ></sl-input>
        <sl-button type="submit" variant=${chosen ? 'default' : 'primary'}>${msg('Tìm thủ tục', { id: 'intake.search' })}</sl-button>
      </form>
      ${this.searched ? this.hitList() : nothing}
      ${
        chosen
          ? html`<form novalidate @submit=${this.next}>
              ${this.actions(msg('Tiếp tục', { id: 'intake.continue' }))}
            </form>`
          : nothing
      }`;
  }

  private hitList() {
    if (!this.hits.length)
      return html`<p role="status">${msg('Không tìm thấy thủ tục nào. Hãy thử từ khác, hoặc gõ mã thủ tục.', { id: 'intake.no_hits' })}</p>`;
    return html`<h2 id="hits-title">${fill(msg('{count} thủ tục: chọn một', { id: 'intake.hits' }), { count: this.hits.length })}</h2>
      <ul class="hits" aria-labelledby="hits-title">
        ${this.hits.map(
          (h) =>
            html`<li>
              <button type="button" class="hit" @click=${() => this.pick(h.code)}>
                <span class="code">${h.code}</span><span class="name">${h.name}</span>
                <span class="meta">${h.sectors.map((s) => s.name).join(', ')} · ${h.implementing.map((a) => a.name).join(', ')}</span>
              </button>
            </li>`,
        )}
      </ul>`;
  }

  private caseStep() {
    const doc = this.d.procedure!;
    const kase = this.kase();
    const offered = kase?.channels.filter((c) => c.channel !== 'online') ?? [];
    const caseErr = this.error('case');
    const channelErr = this.error('channel');
    const unitErr = this.error('competentUnitId');
    return html`<div class="chosen"><p>${doc.code} · ${doc.name}</p></div>
      <form novalidate @submit=${this.next}>
        <sl-radio-group
          id="case"
          class=${caseErr ? 'invalid' : ''}
          label=${msg('Trường hợp', { id: 'intake.case' })}
          help-text=${caseErr ?? ''}
          .value=${this.d.caseKey}
          @sl-change=${(e: Event) => this.chooseCase((e.target as HTMLInputElement).value)}
        >
          ${doc.cases.map((c) => html`<sl-radio value=${c.key}>${c.name}</sl-radio>`)}
        </sl-radio-group>
        ${
          kase
            ? html`<sl-radio-group
                id="channel"
                class=${channelErr ? 'invalid' : ''}
                label=${msg('Hình thức nộp', { id: 'intake.channel' })}
                help-text=${channelErr ?? ''}
                .value=${String(this.d.channel)}
                @sl-change=${(e: Event) => this.patch({ channel: Number((e.target as HTMLInputElement).value) === 3 ? 3 : 1 })}
              >
                ${offered.map((c) => {
                  const code = c.channel === 'postal' ? 3 : 1;
                  return html`<sl-radio value=${String(code)}
                    >${channelLabel(code)}<span class="radio-hint"
                      >${fill(msg('Thời hạn giải quyết: {limit}', { id: 'intake.limit' }), { limit: timeLimit(c.time) })}</span
                    ></sl-radio
                  >`;
                })}
              </sl-radio-group>`
            : nothing
        }
        ${
          this.candidates.length
            ? html`<sl-radio-group
                id="competentUnitId"
                class=${unitErr ? 'invalid' : ''}
                label=${msg('Cơ quan giải quyết', { id: 'intake.competent' })}
                help-text=${unitErr ?? ''}
                .value=${this.d.competentUnitId}
                @sl-change=${(e: Event) => this.patch({ competentUnitId: (e.target as HTMLInputElement).value })}
              >
                ${this.candidates.map((c) => html`<sl-radio value=${c.code}>${c.name}</sl-radio>`)}
              </sl-radio-group>`
            : nothing
        }
        ${this.actions(msg('Tiếp tục', { id: 'intake.continue' }))}
      </form>`;
  }

  private checklistStep() {
    const docs = this.kase()?.documents ?? [];
    return html`<p>${msg('Đánh dấu từng giấy tờ đã nhận và ghi số bản chính, bản sao. Thiếu giấy tờ bắt buộc thì vẫn tiếp tục được: ở bước cuối, chọn yêu cầu bổ sung.', { id: 'intake.checklist_lead' })}</p>
      <form novalidate @submit=${this.next}>
        <div class="docs">${docs.map((doc, i) => {
          const t = this.d.components[i] ?? { received: false, originals: '0', copies: '0' };
          const oErr = this.error(`doc-${i}-originals`);
          const cErr = this.error(`doc-${i}-copies`);
          return html`<div class="doc ${t.received ? 'ticked' : ''}" role="group" aria-labelledby="doc-${i}-name">
            <div class="doc-text">
              <p class="doc-name" id="doc-${i}-name">
                ${i + 1}. ${doc.name}
                ${
                  doc.optional
                    ? html`<span class="tag">${msg('Không bắt buộc', { id: 'intake.optional' })}</span>`
                    : html`<span class="tag required">${msg('Bắt buộc', { id: 'intake.required' })}</span>`
                }
              </p>
              <p class="doc-need">
                ${fill(msg('Cần nộp: {originals} bản chính, {copies} bản sao', { id: 'intake.doc_need' }), { originals: doc.originals, copies: doc.copies })}
              </p>
              ${oErr ? html`<p class="field-error">${oErr}</p>` : nothing} ${cErr ? html`<p class="field-error">${cErr}</p>` : nothing}
            </div>
            <div class="doc-row">
              <sl-checkbox id="doc-${i}-received" ?checked=${t.received} @sl-change=${(e: Event) => this.tick(i, { received: (e.target as HTMLInputElement).checked })}
                >${msg('Đã nhận', { id: 'intake.received' })}</sl-checkbox
              >
              <sl-input
                id="doc-${i}-originals"
                size="small"
                class=${oErr ? 'invalid' : ''}
                label=${msg('Số bản chính', { id: 'intake.originals' })}
                inputmode="numeric"
                .value=${t.originals}
                ?disabled=${!t.received}
                @sl-input=${(e: Event) => this.tick(i, { originals: (e.target as HTMLInputElement).value })}
              ></sl-input>
              <sl-input
                id="doc-${i}-copies"
                size="small"
                class=${cErr ? 'invalid' : ''}
                label=${msg('Số bản sao', { id: 'intake.copies' })}
                inputmode="numeric"
                .value=${t.copies}
                ?disabled=${!t.received}
                @sl-input=${(e: Event) => this.tick(i, { copies: (e.target as HTMLInputElement).value })}
              ></sl-input>
            </div>
          </div>`;
        })}</div>
        ${this.actions(msg('Tiếp tục', { id: 'intake.continue' }))}
      </form>`;
  }

  private text(
    field: keyof Applicant,
    label: string,
    opts: { hint?: string; autocomplete?: string; inputmode?: string; cls?: string } = {},
  ) {
    const err = this.error(field);
    return html`<sl-input
      id=${field}
      class="${err ? 'invalid' : ''} ${opts.cls ?? ''}"
      label=${label}
      help-text=${err ?? opts.hint ?? ''}
      autocomplete=${opts.autocomplete ?? 'off'}
      inputmode=${opts.inputmode ?? 'text'}
      .value=${this.d.applicant[field]}
      @sl-input=${(e: Event) => this.applicant({ [field]: (e.target as HTMLInputElement).value })}
    ></sl-input>`;
  }

  private applicantStep() {
    const a = this.d.applicant;
    const citizen = a.kind === 'citizen';
    return html`<form novalidate @submit=${this.next}>
      <sl-radio-group
        id="kind"
        label=${msg('Người nộp là', { id: 'intake.kind' })}
        .value=${a.kind}
        @sl-change=${(e: Event) => this.applicant({ kind: (e.target as HTMLInputElement).value as Applicant['kind'] })}
      >
        ${(['citizen', 'organisation', 'enterprise'] as const).map((k) => html`<sl-radio value=${k}>${kindLabel(k)}</sl-radio>`)}
      </sl-radio-group>
      ${this.text('name', citizen ? msg('Họ và tên', { id: 'intake.name' }) : msg('Tên tổ chức, doanh nghiệp', { id: 'intake.org_name' }), { autocomplete: 'off' })}
      ${this.text(
        'idNumber',
        citizen ? msg('Số định danh cá nhân', { id: 'intake.id_number' }) : msg('Mã số tổ chức, doanh nghiệp', { id: 'intake.org_code' }),
        {
          hint: citizen ? msg('12 chữ số, như trên thẻ căn cước', { id: 'intake.id_hint' }) : '',
          inputmode: citizen ? 'numeric' : 'text',
          cls: 'short',
        },
      )}
      ${
        citizen
          ? html`<div class="grid-2">
              <sl-radio-group
                id="sex"
                label=${msg('Giới tính', { id: 'intake.sex' })}
                .value=${a.sex}
                @sl-change=${(e: Event) => this.applicant({ sex: (e.target as HTMLInputElement).value as Applicant['sex'] })}
              >
                ${(['female', 'male', 'other'] as const).map((s) => html`<sl-radio value=${s}>${sexLabel(s)}</sl-radio>`)}
              </sl-radio-group>
              ${this.text('birthDate', msg('Ngày sinh', { id: 'intake.birth_date' }), {
                hint: msg('Ngày/tháng/năm, ví dụ 07/03/1990', { id: 'intake.birth_hint' }),
                inputmode: 'numeric',
                cls: 'short',
              })}
            </div>`
          : nothing
      }
      <div class="grid-2">
        ${this.text('phone', msg('Số điện thoại', { id: 'intake.phone' }), { autocomplete: 'off', inputmode: 'tel' })}
        ${this.text('email', msg('Thư điện tử', { id: 'intake.email' }), { autocomplete: 'off', inputmode: 'email' })}
      </div>
      ${this.text('address', msg('Địa chỉ', { id: 'intake.address' }), { hint: msg('Số nhà, đường, xã/phường, tỉnh/thành phố', { id: 'intake.address_hint' }) })}
      ${this.actions(msg('Tiếp tục', { id: 'intake.continue' }))}
    </form>`;
  }

  private feesStep() {
    const terms = this.channelTerms();
    const fees = terms?.fees ?? [];
    const due = feesDue(terms);
    const err = this.error('paid');
    return html`<form novalidate @submit=${this.next}>
      ${
        fees.length
          ? html`<table class="fees">
              <caption class="fees-caption">
                ${channelLabel(this.d.channel)}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${msg('Khoản phí, lệ phí', { id: 'intake.fee' })}</th>
                  <th scope="col">${msg('Khi nộp', { id: 'intake.fee_when' })}</th>
                  <th scope="col" class="money">${msg('Số tiền', { id: 'intake.fee_amount' })}</th>
                </tr>
              </thead>
              <tbody>
                ${fees.map(
                  (f) =>
                    html`<tr>
                      <td>${f.description}${f.per ? html` (${f.per})` : nothing}</td>
                      <td>${f.paidAt === 'result' ? msg('Khi nhận kết quả', { id: 'intake.fee_at_result' }) : msg('Khi nộp hồ sơ', { id: 'intake.fee_at_submission' })}</td>
                      <td class="money">${typeof f.amount === 'number' ? formatMoney(f.amount) : '—'}</td>
                    </tr>`,
                )}
                <tr class="total">
                  <th scope="row" colspan="2">${msg('Phải nộp khi nộp hồ sơ', { id: 'intake.fee_due' })}</th>
                  <td class="money"><strong>${formatMoney(due)}</strong></td>
                </tr>
              </tbody>
            </table>`
          : html`<p>${msg('Thủ tục này không thu phí, lệ phí theo hình thức nộp đã chọn.', { id: 'intake.no_fees' })}</p>`
      }
      <sl-input
        id="paid"
        class="short ${err ? 'invalid' : ''}"
        label=${msg('Số tiền đã thu (đồng)', { id: 'intake.paid' })}
        help-text=${err ?? fill(msg('Phải nộp: {due}', { id: 'intake.paid_hint' }), { due: formatMoney(due) })}
        inputmode="numeric"
        .value=${this.d.paid}
        @sl-input=${(e: Event) => this.patch({ paid: (e.target as HTMLInputElement).value })}
      ></sl-input>
      <sl-radio-group
        id="mode"
        label=${msg('Hình thức thu', { id: 'intake.mode' })}
        .value=${this.d.mode}
        @sl-change=${(e: Event) => this.patch({ mode: (e.target as HTMLInputElement).value as Draft['mode'] })}
      >
        ${(['cash', 'transfer', 'online', 'postal'] as const).map((m) => html`<sl-radio value=${m}>${modeLabel(m)}</sl-radio>`)}
      </sl-radio-group>
      ${this.actions(msg('Tiếp tục', { id: 'intake.continue' }))}
    </form>`;
  }

  private row(label: string, value: unknown, step: Step) {
    return html`<div>
      <dt>${label}</dt>
      <dd>${value}</dd>
      <dd>
        <button type="button" class="change" @click=${() => this.show(step)}>
          ${msg('Thay đổi', { id: 'intake.change' })}<span class="sr-only"> ${label}</span>
        </button>
      </dd>
    </div>`;
  }

  private checkStep() {
    const d = this.d;
    const kase = this.kase();
    const a = d.applicant;
    const missing = missingDocuments(kase, d.components);
    const decisionErr = this.error('decision');
    const reasonsErr = this.error('reasons');
    const missingErr = this.error('missing');
    const primary =
      d.decision === 'refuse'
        ? msg('Từ chối tiếp nhận', { id: 'intake.do_refuse' })
        : d.decision === 'request_supplement'
          ? msg('Yêu cầu bổ sung', { id: 'intake.do_supplement' })
          : msg('Tiếp nhận hồ sơ', { id: 'intake.do_receive' });
    const docs = (kase?.documents ?? []).map((doc, i) => {
      const t = d.components[i];
      if (t?.received)
        return html`<li>${doc.name}: ${fill(msg('{originals} bản chính, {copies} bản sao', { id: 'intake.counts' }), { originals: t.originals || '0', copies: t.copies || '0' })}</li>`;
      return doc.optional
        ? html`<li>${doc.name}: ${msg('không nộp (không bắt buộc)', { id: 'intake.not_given' })}</li>`
        : html`<li class="missing-doc">${doc.name}: ${msg('còn thiếu', { id: 'intake.missing_doc' })}</li>`;
    });
    return html`<dl class="answers">
        ${this.row(msg('Thủ tục', { id: 'intake.procedure' }), `${d.procedure?.code} · ${d.procedure?.name}`, 'procedure')}
        ${this.row(msg('Trường hợp', { id: 'intake.case' }), kase?.name ?? '', 'case')}
        ${this.row(msg('Hình thức nộp', { id: 'intake.channel' }), channelLabel(d.channel), 'case')}
        ${this.row(msg('Giấy tờ', { id: 'intake.documents' }), html`<ul>${docs}</ul>`, 'checklist')}
        ${this.row(
          msg('Người nộp', { id: 'intake.applicant' }),
          html`<strong>${a.name}</strong> (${kindLabel(a.kind)})
            <ul class="plain">
              ${[
                [
                  a.kind === 'citizen'
                    ? msg('Số định danh cá nhân', { id: 'intake.id_number' })
                    : msg('Mã số tổ chức, doanh nghiệp', { id: 'intake.org_code' }),
                  a.idNumber,
                ],
                [msg('Giới tính', { id: 'intake.sex' }), sexLabel(a.sex)],
                [msg('Ngày sinh', { id: 'intake.birth_date' }), a.birthDate],
                [msg('Số điện thoại', { id: 'intake.phone' }), a.phone],
                [msg('Thư điện tử', { id: 'intake.email' }), a.email],
                [msg('Địa chỉ', { id: 'intake.address' }), a.address],
              ]
                .filter(([, v]) => v && v.trim())
                .map(([k, v]) => html`<li>${k}: ${v}</li>`)}
            </ul>`,
          'applicant',
        )}
        ${this.row(
          msg('Phí, lệ phí', { id: 'intake.step.fees' }),
          fill(msg('Phải nộp {due}; đã thu {paid} ({mode})', { id: 'intake.fees_line' }), {
            due: formatMoney(feesDue(this.channelTerms())),
            paid: formatMoney(parseMoney(d.paid) ?? 0),
            mode: modeLabel(d.mode),
          }),
          'fees',
        )}
      </dl>
      ${
        missing.length
          ? html`<div class="warning">
              <strong>${msg('Hồ sơ chưa đủ giấy tờ bắt buộc, nên chưa tiếp nhận được. Còn thiếu:', { id: 'intake.incomplete_note' })}</strong>
              <ul>
                ${missing.map((m) => html`<li>${m}</li>`)}
              </ul>
            </div>`
          : nothing
      }
      <form novalidate @submit=${this.submit}>
        <sl-radio-group
          id="decision"
          class=${decisionErr ? 'invalid' : ''}
          label=${msg('Quyết định', { id: 'intake.decision' })}
          help-text=${decisionErr ?? ''}
          .value=${d.decision}
          @sl-change=${(e: Event) => this.patch({ decision: (e.target as HTMLInputElement).value as Decision })}
        >
          <sl-radio value="receive" ?disabled=${missing.length > 0}
            >${msg('Tiếp nhận hồ sơ', { id: 'intake.do_receive' })}<span class="radio-hint"
              >${msg('Hồ sơ đủ: cấp giấy tiếp nhận và hẹn trả kết quả (mẫu 01)', { id: 'intake.receive_hint' })}</span
            ></sl-radio
          >
          <sl-radio value="request_supplement"
            >${msg('Yêu cầu bổ sung hồ sơ', { id: 'intake.supplement' })}<span class="radio-hint"
              >${msg('Hồ sơ thiếu: ghi một lần tất cả những gì cần bổ sung (mẫu 02)', { id: 'intake.supplement_hint' })}</span
            ></sl-radio
          >
          <sl-radio value="refuse"
            >${msg('Từ chối tiếp nhận', { id: 'intake.do_refuse' })}<span class="radio-hint"
              >${msg('Hồ sơ không đủ điều kiện: nêu rõ lý do (mẫu 03)', { id: 'intake.refuse_hint' })}</span
            ></sl-radio
          >
        </sl-radio-group>
        ${
          d.decision === 'request_supplement'
            ? html`<sl-textarea
                id="missing"
                class=${missingErr ? 'invalid' : ''}
                label=${msg('Cần bổ sung thêm (mỗi dòng một mục)', { id: 'intake.missing' })}
                help-text=${missingErr ?? msg('Các giấy tờ bắt buộc chưa đánh dấu đã được ghi vào phiếu; ghi thêm những gì khác cần bổ sung, nếu có.', { id: 'intake.missing_hint' })}
                rows="3"
                .value=${d.missing}
                @sl-input=${(e: Event) => this.patch({ missing: (e.target as HTMLTextAreaElement).value })}
              ></sl-textarea>`
            : nothing
        }
        ${
          d.decision === 'refuse'
            ? html`<sl-textarea
                id="reasons"
                class=${reasonsErr ? 'invalid' : ''}
                label=${msg('Lý do từ chối (mỗi dòng một lý do)', { id: 'intake.reasons' })}
                help-text=${reasonsErr ?? msg('Lý do sẽ in trên phiếu từ chối (mẫu 03).', { id: 'intake.reasons_hint' })}
                rows="3"
                .value=${d.reasons}
                @sl-input=${(e: Event) => this.patch({ reasons: (e.target as HTMLTextAreaElement).value })}
              ></sl-textarea>`
            : nothing
        }
        <sl-textarea
          id="note"
          label=${msg('Ghi chú (không bắt buộc)', { id: 'intake.note' })}
          rows="2"
          .value=${d.note}
          @sl-input=${(e: Event) => this.patch({ note: (e.target as HTMLTextAreaElement).value })}
        ></sl-textarea>
        ${this.actions(primary)}
      </form>`;
  }

  private doneTitle() {
    switch (this.outcome?.decision) {
      case 'refuse':
        return msg('Đã từ chối tiếp nhận hồ sơ', { id: 'intake.done.refused' });
      case 'request_supplement':
        return msg('Đã lập phiếu yêu cầu bổ sung', { id: 'intake.done.supplement' });
      default:
        return msg('Đã tiếp nhận hồ sơ', { id: 'intake.done.received' });
    }
  }

  private doneStep() {
    const o = this.outcome;
    if (!o) return html``;
    const href = `/api/dossiers/${encodeURIComponent(o.dossier.code)}/forms/${o.form}`;
    const cls = o.decision === 'refuse' ? 'refused' : o.decision === 'request_supplement' ? 'supplement' : '';
    return html`<div class="result ${cls}">
        <p>${msg('Mã hồ sơ', { id: 'intake.code' })}</p>
        <p class="code" id="code">${o.dossier.code}</p>
        ${
          o.dossier.appointmentAt
            ? html`<p>${msg('Hẹn trả kết quả', { id: 'intake.appointment' })}: <strong>${formatDateTime(o.dossier.appointmentAt)}</strong></p>`
            : nothing
        }
      </div>
      <div class="actions">
        <sl-button variant="primary" ?disabled=${!o.formHtml} @click=${this.print}>${fill(msg('In mẫu {form}', { id: 'intake.print' }), { form: o.form })}</sl-button>
        <a href=${href} target="_blank" rel="noopener" id="form-link">${msg('Mở mẫu trong cửa sổ mới', { id: 'intake.open_form' })} (${formName(o.form)})</a>
        <button type="button" class="back" @click=${this.again}>${msg('Tiếp nhận hồ sơ khác', { id: 'intake.again' })}</button>
      </div>
      ${o.formError ? html`<p class="field-error" role="alert">${o.formError}</p>` : nothing}
      ${o.formHtml ? html`<iframe class="form" title=${formName(o.form)} .srcdoc=${o.formHtml}></iframe>` : nothing}`;
  }
}
customElements.define('mc-intake-wizard', IntakeWizard);
