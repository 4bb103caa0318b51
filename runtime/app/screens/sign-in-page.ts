import { LitElement, css, html, nothing } from 'lit';
import { msg, updateWhenLocaleChanges } from '@lit/localize';
import { shared } from './shared-styles.ts';
import './sign-in-form.ts';
import './language-switch.ts';

/** The sign-in screen: heading (focused on arrival), the form, the language switch. */
export class SignInPage extends LitElement {
  static override properties = { notice: {} };
  static override styles = [
    shared,
    css`
      :host {
        min-height: 100vh;
        display: grid;
        place-items: start center;
        padding-top: 8vh;
      }
      main {
        width: min(26rem, calc(100vw - 2rem));
        background: #fff;
        border-top: 6px solid var(--mc-brand);
        padding: 1.75rem 2rem 2rem;
        box-shadow: 0 1px 4px rgb(0 0 0 / 0.15);
      }
      .top {
        display: flex;
        justify-content: space-between;
        align-items: center;
        margin-bottom: 0.25rem;
      }
      .brand {
        font-weight: 700;
        color: var(--mc-brand);
        letter-spacing: 0.02em;
      }
      h1 {
        margin: 0.5rem 0 0.25rem;
      }
      .lead {
        color: var(--mc-muted);
        margin: 0 0 1.5rem;
      }
      .notice {
        border-left: 4px solid #1d6f42;
        background: #eef7f1;
        padding: 0.5rem 0.75rem;
        margin: 0 0 1.25rem;
      }
      footer {
        margin-top: 1.5rem;
        font-size: 0.9rem;
        color: var(--mc-muted);
      }
    `,
  ];
  declare notice: string;

  constructor() {
    super();
    this.notice = '';
    updateWhenLocaleChanges(this);
  }

  override firstUpdated() {
    (this.renderRoot.querySelector('h1') as HTMLElement).focus();
  }

  override render() {
    return html`<main>
      <div class="top">
        <span class="brand">motcua · ${msg('Một cửa', { id: 'app.name' })}</span>
        <mc-language-switch></mc-language-switch>
      </div>
      <h1 tabindex="-1">${msg('Đăng nhập', { id: 'signin.title' })}</h1>
      <p class="lead">${msg('Dành cho cán bộ tiếp nhận và xử lý hồ sơ.', { id: 'signin.lead' })}</p>
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
      <mc-sign-in-form></mc-sign-in-form>
      <footer>
        ${msg('Người dân tra cứu hồ sơ tại', { id: 'signin.citizens' })} <a href="/tra-cuu">${msg('trang tra cứu công khai', { id: 'signin.lookup' })}</a>.
      </footer>
    </main>`;
  }
}
customElements.define('mc-sign-in-page', SignInPage);
