import { LitElement, css, html, nothing } from 'lit';
import { msg, updateWhenLocaleChanges } from '@lit/localize';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/input/input.js';
import type SlInput from '@shoelace-style/shoelace/dist/components/input/input.js';
import { api, ApiError, type Schemas } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import { fill } from '../i18n/fill.ts';
import { formatDate, formatDateTime } from '../i18n/format.ts';
import { shared } from './shared-styles.ts';

/** Tra cứu hồ sơ: the dossiers of your units by code or applicant's name (GET /api/dossiers). */
export class DossierSearch extends LitElement {
  static override properties = { items: { state: true }, error: { state: true }, searched: { state: true } };
  static override styles = [
    shared,
    css`
      form {
        display: flex;
        gap: 0.75rem;
        align-items: start;
        flex-wrap: wrap;
        margin-bottom: 1.25rem;
      }
      form sl-button {
        /* level with the field: below its label (one line of the label's size, and its spacing) */
        margin-top: calc(var(--sl-input-label-font-size-medium) * 1.5 + var(--sl-spacing-3x-small));
      }
      .nowrap {
        white-space: nowrap;
      }
      .late-note {
        display: block;
        font-size: 0.9rem;
      }
      sl-input {
        line-height: 1.5;
        flex: 1 1 22rem;
        max-width: 32rem;
      }
      table {
        border-collapse: collapse;
        background: #fff;
        width: 100%;
      }
      th,
      td {
        text-align: left;
        padding: 0.5rem 0.75rem;
        border-bottom: 1px solid #d6d3d1;
        vertical-align: top;
      }
      th {
        background: #f0efed;
      }
      .late {
        color: #8c1d18;
        font-weight: 600;
      }
      .problem {
        color: #8c1d18;
        font-weight: 600;
      }
    `,
  ];
  declare items: Schemas['DossierSummary'][];
  declare error: string;
  declare searched: boolean;

  constructor() {
    super();
    this.items = [];
    this.error = '';
    this.searched = false;
    updateWhenLocaleChanges(this);
  }

  /** `?q=` in the address (the inbox opens a task's dossier so) searches at once. */
  private readonly initial = new URLSearchParams(location.search).get('q') ?? '';

  override connectedCallback() {
    super.connectedCallback();
    if (this.initial) void this.find(this.initial);
  }

  private async search(e: Event) {
    e.preventDefault();
    await this.find((this.renderRoot.querySelector('#q') as SlInput).value.trim());
  }

  private async find(q: string) {
    try {
      const page = await api.get('/api/dossiers', { query: { q: q || undefined, limit: 20 } });
      this.items = page.items;
      this.error = '';
    } catch (err) {
      this.error = err instanceof ApiError ? problemMessage(err) : String(err);
    }
    this.searched = true;
  }

  override render() {
    return html`<h1 tabindex="-1">${msg('Tra cứu hồ sơ', { id: 'nav.search' })}</h1>
      <form role="search" @submit=${this.search}>
        <sl-input
          id="q"
          name="q"
          label=${msg('Mã hồ sơ hoặc tên người nộp', { id: 'search.q' })}
          help-text=${msg('Có thể gõ không dấu, ví dụ: nguyen van', { id: 'search.hint' })}
          autocomplete="off"
          value=${this.initial}
        ></sl-input>
        <sl-button type="submit" variant="primary">${msg('Tìm', { id: 'search.submit' })}</sl-button>
      </form>
      ${this.error ? html`<p class="problem" role="alert">${this.error}</p>` : nothing}
      ${
        this.searched && !this.error
          ? html`<p role="status">${fill(msg('{count} hồ sơ', { id: 'search.count' }), { count: this.items.length })}</p>
            ${this.items.length ? this.table() : nothing}`
          : nothing
      }`;
  }

  private table() {
    return html`<table>
      <thead>
        <tr>
          <th scope="col">${msg('Mã hồ sơ', { id: 'search.code' })}</th>
          <th scope="col">${msg('Người nộp', { id: 'search.applicant' })}</th>
          <th scope="col">${msg('Thủ tục', { id: 'search.procedure' })}</th>
          <th scope="col">${msg('Ngày nhận', { id: 'search.received' })}</th>
          <th scope="col">${msg('Hẹn trả', { id: 'search.appointment' })}</th>
          <th scope="col">${msg('Tình trạng', { id: 'search.status' })}</th>
        </tr>
      </thead>
      <tbody>
        ${this.items.map(
          (d) =>
            html`<tr>
              <td class="nowrap">${d.code}</td>
              <td>${d.applicantName}</td>
              <td>${d.procedure.name}</td>
              <td class="nowrap">${d.receivedAt ? formatDate(d.receivedAt) : ''}</td>
              <td class="nowrap ${d.overdue ? 'late' : ''}">
                ${d.appointmentAt ? formatDateTime(d.appointmentAt) : ''}
                ${d.overdue ? html`<span class="late-note">${msg('Quá hạn', { id: 'search.overdue' })}</span>` : nothing}
              </td>
              <td>${d.statusName}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }
}
customElements.define('mc-dossier-search', DossierSearch);
