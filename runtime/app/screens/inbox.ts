import { LitElement, css, html, nothing } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { msg, updateWhenLocaleChanges } from '@lit/localize';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import '@shoelace-style/shoelace/dist/components/input/input.js';
import '@shoelace-style/shoelace/dist/components/select/select.js';
import '@shoelace-style/shoelace/dist/components/option/option.js';
import type SlDialog from '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import type SlInput from '@shoelace-style/shoelace/dist/components/input/input.js';
import type SlSelect from '@shoelace-style/shoelace/dist/components/select/select.js';
import { api, ApiError, type Schemas } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import { fill } from '../i18n/fill.ts';
import { formatDateTime } from '../i18n/format.ts';
import { currentLanguage } from '../i18n/locale.ts';
import { formatTimeLeft } from '../i18n/time-left.ts';
import { shared } from './shared-styles.ts';

type Band = 'early' | 'on_time' | 'due_soon' | 'overdue';
/** What the dossiers module puts on each listed task (docs/api.md, GET /api/tasks). */
interface TaskDossier {
  code: string;
  applicantName: string | null;
  procedure: { code: string; name: string } | null;
  statusName: string | null;
  appointmentAt: string | null;
}
type Task = Omit<Schemas['ListedTask'], 'dossier'> & { dossier?: TaskDossier | null };
type TabId = 'mine' | 'candidate' | 'overdue' | 'due_today';
type Sort = 'due' | 'created';

const TABS: {
  id: TabId;
  query: { filter: 'mine' | 'candidate' | 'all'; view?: 'overdue' | 'due_today' };
  count: keyof Schemas['TaskCounts'];
}[] = [
  { id: 'mine', query: { filter: 'mine' }, count: 'mine' },
  { id: 'candidate', query: { filter: 'candidate' }, count: 'candidate' },
  { id: 'overdue', query: { filter: 'all', view: 'overdue' }, count: 'overdue' },
  { id: 'due_today', query: { filter: 'all', view: 'due_today' }, count: 'dueToday' },
];

/** Rows a page asks for; `?limit=` in the address overrides it (the browser test pages by 2). */
const PAGE_SIZE = 50;

function tabLabel(id: TabId): string {
  switch (id) {
    case 'mine':
      return msg('Việc của tôi', { id: 'inbox.tab.mine' });
    case 'candidate':
      return msg('Theo vai trò của tôi', { id: 'inbox.tab.candidate' });
    case 'overdue':
      return msg('Quá hạn', { id: 'inbox.tab.overdue' });
    case 'due_today':
      return msg('Đến hạn hôm nay', { id: 'inbox.tab.due_today' });
  }
}

export function bandLabel(band: Band): string {
  switch (band) {
    case 'overdue':
      return msg('Quá hạn', { id: 'band.overdue' });
    case 'due_soon':
      return msg('Sắp đến hạn', { id: 'band.due_soon' });
    case 'early':
      return msg('Còn sớm', { id: 'band.early' });
    case 'on_time':
      return msg('Trong hạn', { id: 'band.on_time' });
  }
}

/** Lower case without diacritics (đ → d), so "nguyen van" finds "Nguyễn Văn". */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

/** Keys typed into a field are the field's, not shortcuts. */
function typing(e: KeyboardEvent): boolean {
  return e.composedPath().some((t) => {
    if (!(t instanceof HTMLElement)) return false;
    return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'SL-INPUT', 'SL-SELECT', 'SL-TEXTAREA'].includes(t.tagName);
  });
}

/**
 * Hộp việc, the landing page after sign-in: the open tasks of the clerk, by tab (mine, open to my
 * roles in my units, overdue, due today) with the API's counts; the time left first, coloured by
 * band and written out; a page at a time (X-Next-Cursor, "Tải thêm"), never the whole list; a
 * filter over the loaded rows; j/k or arrows move the row focus, Enter opens, ? lists the keys.
 */
export class Inbox extends LitElement {
  static override properties = {
    tab: { state: true },
    sort: { state: true },
    tasks: { state: true },
    counts: { state: true },
    next: { state: true },
    loading: { state: true },
    error: { state: true },
    filterText: { state: true },
  };
  static override styles = [
    shared,
    css`
      h1 {
        margin: 0 0 0.75rem;
      }
      [role='tablist'] {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
        border-bottom: 1px solid #d6d3d1;
        margin-bottom: 1rem;
      }
      [role='tab'] {
        font: inherit;
        background: none;
        border: 0;
        border-bottom: 4px solid transparent;
        padding: 0.55rem 0.9rem;
        cursor: pointer;
        color: var(--mc-text);
      }
      [role='tab'][aria-selected='true'] {
        border-bottom-color: var(--mc-brand);
        font-weight: 600;
      }
      [role='tab']:focus-visible {
        outline: 3px solid var(--sl-focus-ring-color);
        outline-offset: -3px;
      }
      .count {
        display: inline-block;
        min-width: 1.6em;
        margin-left: 0.4rem;
        padding: 0 0.4rem;
        border-radius: 999px;
        background: #e7e5e4;
        font-size: 0.85rem;
        font-weight: 600;
        text-align: center;
      }
      .count.alert {
        background: #8c1d18;
        color: #fff;
      }
      .tools {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem 1.25rem;
        align-items: start;
        margin-bottom: 0.75rem;
      }
      .tools sl-input {
        flex: 1 1 20rem;
        max-width: 28rem;
      }
      .tools sl-select {
        width: 14rem;
      }
      .keys {
        margin-left: auto;
        /* level with the fields: below their labels */
        margin-top: calc(var(--sl-input-label-font-size-medium) * 1.5 + var(--sl-spacing-3x-small));
      }
      table {
        border-collapse: separate;
        border-spacing: 0;
        background: #fff;
        width: 100%;
        font-size: 0.92rem;
        line-height: 1.25;
      }
      th,
      td {
        text-align: left;
        padding: 0.1rem 0.6rem;
        /* content height: with the padding and the border, a row is 44 px */
        height: 40px;
        line-height: 1.2;
        border-bottom: 1px solid #e7e5e4;
        vertical-align: middle;
      }
      th {
        position: sticky;
        top: 0;
        z-index: 1;
        background: #f0efed;
        border-bottom-color: #d6d3d1;
        font-size: 0.9rem;
        white-space: nowrap;
      }
      tbody tr {
        cursor: pointer;
      }
      tbody tr:hover {
        background: #fafaf9;
      }
      tbody tr:focus {
        outline: 3px solid var(--sl-focus-ring-color);
        outline-offset: -3px;
        background: #eff4ff;
      }
      .nowrap {
        white-space: nowrap;
      }
      .left {
        display: inline-flex;
        flex-direction: column;
        line-height: 1.2;
        padding: 0.2rem 0.55rem;
        border-left: 5px solid;
        border-radius: 3px;
        white-space: nowrap;
        font-weight: 600;
      }
      .left small {
        font-weight: 400;
        font-size: 0.78rem;
      }
      .band-overdue {
        background: #fde8e7;
        color: #8c1d18;
        border-color: #b3261e;
      }
      .band-due_soon {
        background: #fff4d6;
        color: #5c3d00;
        border-color: #c98a00;
      }
      .band-early {
        background: #e6f4ea;
        color: #1e5631;
        border-color: #2e7d32;
      }
      .band-on_time,
      .band-none {
        background: #f5f5f4;
        color: #1a1a1a;
        border-color: #78716c;
      }
      .sr-only {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
        white-space: nowrap;
      }
      .code {
        font-variant-numeric: tabular-nums;
      }
      .muted {
        color: #4a4a4a;
      }
      .more {
        display: flex;
        align-items: center;
        gap: 1rem;
        margin-top: 0.75rem;
      }
      .empty {
        background: #fff;
        padding: 1.25rem;
        border: 1px solid #e7e5e4;
      }
      .problem {
        color: #8c1d18;
        font-weight: 600;
      }
      dl.shortcuts {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.5rem 1rem;
        margin: 0;
      }
      dl.shortcuts dd {
        margin: 0;
      }
      kbd {
        font: 0.9rem ui-monospace, monospace;
        border: 1px solid #a8a29e;
        border-bottom-width: 2px;
        border-radius: 4px;
        padding: 0 0.35rem;
        background: #fafaf9;
      }
    `,
  ];
  declare tab: TabId;
  declare sort: Sort;
  declare tasks: Task[];
  declare counts: Schemas['TaskCounts'] | null;
  declare next: string | null;
  declare loading: boolean;
  declare error: string;
  declare filterText: string;
  /** Bumped on every new list, so a late answer of an old one is dropped. */
  private generation = 0;
  /** The clerk chose a tab: no more switching for them. */
  private touched = false;
  private readonly onKey = (e: KeyboardEvent) => this.key(e);

  constructor() {
    super();
    this.tab = 'mine';
    this.sort = 'due';
    this.tasks = [];
    this.counts = null;
    this.next = null;
    this.loading = true;
    this.error = '';
    this.filterText = '';
    updateWhenLocaleChanges(this);
  }

  override connectedCallback() {
    super.connectedCallback();
    document.addEventListener('keydown', this.onKey);
    // The rows first: the page is asked for before the counts.
    void this.load(false).then(() => this.openTabWithWork());
    void this.loadCounts();
  }

  override disconnectedCallback() {
    document.removeEventListener('keydown', this.onKey);
    super.disconnectedCallback();
  }

  /**
   * Nothing of mine yet on arrival: the tasks open to my roles show instead of an empty list
   * (a reception desk's tasks are all candidates until someone takes one).
   */
  private openTabWithWork() {
    if (this.tab !== 'mine' || this.tasks.length || this.error || this.touched) return;
    this.choose('candidate');
  }
  private pageSize(): number {
    const asked = Number(new URLSearchParams(location.search).get('limit'));
    return Number.isInteger(asked) && asked >= 1 && asked <= 500 ? asked : PAGE_SIZE;
  }

  private async loadCounts() {
    try {
      this.counts = await api.get('/api/tasks/counts');
    } catch {
      // the tabs work without their numbers; the list says what went wrong
    }
  }

  /** The first page of the tab (more = false), or the next one after the loaded rows. */
  private async load(more: boolean) {
    if (more && this.loading) return; // a second press while the page comes
    const generation = more ? this.generation : ++this.generation;
    const tab = TABS.find((t) => t.id === this.tab)!;
    this.loading = true;
    try {
      const { data, headers } = await api.getWithHeaders('/api/tasks', {
        query: { ...tab.query, sort: this.sort, limit: this.pageSize(), cursor: more ? (this.next ?? undefined) : undefined },
      });
      if (generation !== this.generation) return;
      const page = data as unknown as Task[];
      this.tasks = more ? [...this.tasks, ...page] : page;
      this.next = headers.get('x-next-cursor');
      this.error = '';
    } catch (err) {
      if (generation !== this.generation) return;
      this.error = err instanceof ApiError ? problemMessage(err) : String(err);
    }
    this.loading = false;
  }

  private choose(tab: TabId, focus = false) {
    if (tab !== this.tab) {
      this.tab = tab;
      this.tasks = [];
      this.next = null;
      void this.load(false);
      void this.loadCounts();
    }
    if (focus) void this.updateComplete.then(() => (this.renderRoot.querySelector(`#tab-${tab}`) as HTMLElement | null)?.focus());
  }

  /** Left and right move between the tabs (the ARIA tabs pattern), Home and End to the ends. */
  private tabKey(e: KeyboardEvent) {
    const i = TABS.findIndex((t) => t.id === this.tab);
    const to =
      e.key === 'ArrowRight'
        ? (i + 1) % TABS.length
        : e.key === 'ArrowLeft'
          ? (i + TABS.length - 1) % TABS.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? TABS.length - 1
              : -1;
    if (to < 0) return;
    e.preventDefault();
    this.touched = true;
    this.choose(TABS[to].id, true);
  }

  private sortChanged(e: Event) {
    this.sort = (e.target as SlSelect).value as Sort;
    this.next = null; // a cursor belongs to its sort
    void this.load(false);
  }

  private visible(): Task[] {
    const words = fold(this.filterText).split(/\s+/).filter(Boolean);
    if (!words.length) return this.tasks;
    return this.tasks.filter((t) => {
      const d = t.dossier;
      const text = fold(
        [t.businessKey, t.name, d?.code, d?.applicantName, d?.procedure?.name, d?.procedure?.code].filter(Boolean).join(' '),
      );
      return words.every((w) => text.includes(w));
    });
  }

  private rows(): HTMLElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLElement>('tbody tr')];
  }

  private move(by: number) {
    const rows = this.rows();
    if (!rows.length) return;
    const at = rows.indexOf(this.shadowRoot!.activeElement as HTMLElement);
    const to = at < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, at + by));
    rows[to].focus();
    rows[to].scrollIntoView({ block: 'nearest' });
  }

  /** Until the task screen exists, a task opens its dossier in the dossier search (by its code). */
  private open(task: Task) {
    const code = task.dossier?.code ?? task.businessKey;
    const path = code ? `/app/tra-cuu-ho-so?q=${encodeURIComponent(code)}` : '/app/tra-cuu-ho-so';
    this.dispatchEvent(new CustomEvent('mc-navigate', { detail: { path }, bubbles: true, composed: true }));
  }

  private key(e: KeyboardEvent) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    const dialog = this.renderRoot.querySelector('#keys') as SlDialog | null;
    if (dialog?.open) return;
    const active = this.shadowRoot!.activeElement as HTMLElement | null;
    const onRow = !!active && this.rows().includes(active);
    // Arrows scroll the page or move in a control elsewhere: they move rows only from a row, the heading or nowhere.
    const idle = onRow || active?.tagName === 'H1' || document.activeElement === document.body;
    switch (e.key) {
      case 'j':
        e.preventDefault();
        this.move(1);
        return;
      case 'k':
        e.preventDefault();
        this.move(-1);
        return;
      case 'ArrowDown':
      case 'ArrowUp':
        if (!idle) return;
        e.preventDefault();
        this.move(e.key === 'ArrowDown' ? 1 : -1);
        return;
      case 'Enter': {
        if (!onRow) return;
        e.preventDefault();
        const index = this.rows().indexOf(active!);
        const task = this.visible()[index];
        if (task) this.open(task);
        return;
      }
      case '?':
        e.preventDefault();
        void this.showKeys();
        return;
      case '/':
        e.preventDefault();
        (this.renderRoot.querySelector('#filter') as SlInput | null)?.focus();
        return;
    }
  }

  private async showKeys() {
    await (this.renderRoot.querySelector('#keys') as SlDialog).show();
  }

  override render() {
    const visible = this.visible();
    return html`<h1 tabindex="-1">${msg('Hộp việc', { id: 'nav.inbox' })}</h1>
      <div role="tablist" aria-label=${msg('Danh sách việc', { id: 'inbox.tabs' })} @keydown=${this.tabKey}>
        ${TABS.map((t) => {
          const selected = t.id === this.tab;
          const n = this.counts?.[t.count];
          return html`<button
            role="tab"
            id="tab-${t.id}"
            aria-selected=${selected ? 'true' : 'false'}
            aria-controls="inbox-panel"
            tabindex=${selected ? '0' : '-1'}
            @click=${() => {
              this.touched = true;
              this.choose(t.id);
            }}
          >
            ${tabLabel(t.id)}<span class="count ${t.id === 'overdue' && n ? 'alert' : ''}">${n === undefined ? '…' : n}</span>
          </button>`;
        })}
      </div>
      <div role="tabpanel" id="inbox-panel" aria-labelledby="tab-${this.tab}">
        <div class="tools">
          <sl-input
            id="filter"
            type="search"
            clearable
            autocomplete="off"
            label=${msg('Lọc các việc đã tải', { id: 'inbox.filter' })}
            help-text=${msg('Mã hồ sơ, người nộp, thủ tục hoặc bước; có thể gõ không dấu', { id: 'inbox.filter_hint' })}
            .value=${this.filterText}
            @sl-input=${(e: Event) => (this.filterText = (e.target as SlInput).value)}
          ></sl-input>
          ${keyed(
            // a new select per language: Shoelace keeps the chosen option's text from when it was picked
            currentLanguage(),
            html`<sl-select id="sort" label=${msg('Sắp xếp theo', { id: 'inbox.sort' })} .value=${this.sort} @sl-change=${this.sortChanged}>
            <sl-option value="due">${msg('Hạn xử lý gần nhất', { id: 'inbox.sort.due' })}</sl-option>
            <sl-option value="created">${msg('Nhận trước', { id: 'inbox.sort.created' })}</sl-option>
          </sl-select>`,
          )}
          <sl-button class="keys" size="small" @click=${this.showKeys}>${msg('Phím tắt (?)', { id: 'inbox.keys_button' })}</sl-button>
        </div>
        ${this.error ? html`<p class="problem" role="alert">${this.error}</p>` : nothing} ${this.table(visible)}
        <div class="more">
          <p role="status" aria-live="polite">${this.status(visible)}</p>
          ${
            this.next
              ? html`<sl-button id="more" ?loading=${this.loading} @click=${() => this.load(true)}>${msg('Tải thêm', { id: 'inbox.more' })}</sl-button>`
              : nothing
          }
        </div>
      </div>
      ${this.keysDialog()}`;
  }

  private status(visible: Task[]): string {
    if (this.loading && !this.tasks.length) return msg('Đang tải…', { id: 'app.loading' });
    if (this.filterText.trim())
      return fill(msg('{shown} trong {loaded} việc đã tải khớp bộ lọc', { id: 'inbox.filtered' }), {
        shown: visible.length,
        loaded: this.tasks.length,
      });
    if (this.next) return fill(msg('Đang hiện {loaded} việc, còn nữa', { id: 'inbox.partial' }), { loaded: this.tasks.length });
    if (this.tasks.length === 1) return msg('1 việc', { id: 'inbox.one' });
    return fill(msg('{loaded} việc', { id: 'inbox.all' }), { loaded: this.tasks.length });
  }

  private table(visible: Task[]) {
    if (!visible.length) {
      if (this.loading || this.error) return nothing;
      return html`<p class="empty">
        ${
          this.tasks.length
            ? msg('Không có việc nào khớp bộ lọc.', { id: 'inbox.no_match' })
            : msg('Không có việc nào ở đây.', { id: 'inbox.empty' })
        }
      </p>`;
    }
    const language = currentLanguage();
    return html`<table>
      <caption class="sr-only">
        ${tabLabel(this.tab)}. ${msg('Dùng j/k hoặc mũi tên để chọn dòng, Enter để mở, ? để xem phím tắt.', { id: 'inbox.table_hint' })}
      </caption>
      <thead>
        <tr>
          <th scope="col">${msg('Thời gian còn lại', { id: 'inbox.col.left' })}</th>
          <th scope="col">${msg('Bước xử lý', { id: 'inbox.col.step' })}</th>
          <th scope="col">${msg('Mã hồ sơ', { id: 'search.code' })}</th>
          <th scope="col">${msg('Người nộp', { id: 'search.applicant' })}</th>
          <th scope="col">${msg('Thủ tục', { id: 'search.procedure' })}</th>
          <th scope="col">${msg('Hẹn trả', { id: 'search.appointment' })}</th>
        </tr>
      </thead>
      <tbody>
        ${visible.map((t) => {
          const band = (t.band ?? null) as Band | null;
          const d = t.dossier;
          return html`<tr tabindex="-1" @click=${() => this.open(t)}>
            <td>
              <span class="left band-${band ?? 'none'}">
                ${formatTimeLeft(t.remainingWorkingMinutes, language)}
                ${band && band !== 'overdue' ? html`<small>${bandLabel(band)}</small>` : nothing}
              </span>
            </td>
            <td>${t.name ?? t.activityId}</td>
            <td class="nowrap code">${d?.code ?? t.businessKey ?? ''}</td>
            <td class="nowrap">${d?.applicantName ?? ''}</td>
            <td>${d?.procedure?.name ?? ''}</td>
            <td class="nowrap">${d?.appointmentAt ? formatDateTime(d.appointmentAt) : html`<span class="muted">—</span>`}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  private keysDialog() {
    const k = (key: string) => html`<kbd>${key}</kbd>`;
    const keys = [
      [html`${k('j')} / ${k('↓')}`, msg('Dòng tiếp theo', { id: 'inbox.key.next' })],
      [html`${k('k')} / ${k('↑')}`, msg('Dòng trước', { id: 'inbox.key.previous' })],
      [k('Enter'), msg('Mở hồ sơ của dòng đang chọn', { id: 'inbox.key.open' })],
      [k('/'), msg('Đến ô lọc', { id: 'inbox.key.filter' })],
      [html`${k('←')} / ${k('→')}`, msg('Chuyển thẻ (khi đang ở thẻ)', { id: 'inbox.key.tabs' })],
      [
        html`${k('g')} ${msg('rồi', { id: 'inbox.key.then' })} ${k('i')}`,
        msg('Về Hộp việc từ bất kỳ trang nào', { id: 'inbox.key.go_inbox' }),
      ],
      [k('?'), msg('Mở danh sách phím tắt này', { id: 'inbox.key.help' })],
      [k('Esc'), msg('Đóng hộp thoại', { id: 'inbox.key.close' })],
    ] as const;
    return html`<sl-dialog id="keys" label=${msg('Phím tắt', { id: 'inbox.keys' })}>
      <dl class="shortcuts">
        ${keys.map(
          ([keys, what]) => html`<dt>${keys}</dt>
            <dd>${what}</dd>`,
        )}
      </dl>
    </sl-dialog>`;
  }
}
customElements.define('mc-inbox', Inbox);
