import { LitElement, css, html, nothing } from 'lit';
import { msg, updateWhenLocaleChanges } from '@lit/localize';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/input/input.js';
import type SlInput from '@shoelace-style/shoelace/dist/components/input/input.js';
import { api, ApiError, type Schemas } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import { shared } from './shared-styles.ts';

type Field = 'username' | 'password';
interface Problem {
  field: Field;
  text: string;
}

/**
 * Username and password, used by the sign-in page and by the dialog that opens when a session
 * expires. Problems are listed in an error summary whose links move to the field, and said again
 * under the field. Dispatches `signed-in` with the user.
 */
export class SignInForm extends LitElement {
  static override properties = { username: {}, problems: { state: true }, busy: { state: true } };
  static override styles = [
    shared,
    css`
      form {
        display: grid;
        gap: 1.1rem;
      }
      sl-button {
        justify-self: start;
        min-width: 9rem;
      }
    `,
  ];
  declare username: string;
  declare problems: Problem[];
  declare busy: boolean;

  constructor() {
    super();
    this.username = '';
    this.problems = [];
    this.busy = false;
    updateWhenLocaleChanges(this);
  }

  private input(field: Field): SlInput {
    return this.renderRoot.querySelector(`#${field}`) as SlInput;
  }

  /** Moves focus to the first field (the dialog calls it when it opens). */
  focusFirst(): void {
    void this.updateComplete.then(() => this.input(this.username ? 'password' : 'username')?.focus());
  }

  private async submit(e: Event) {
    e.preventDefault();
    if (this.busy) return;
    const username = this.input('username').value.trim();
    const password = this.input('password').value;
    const missing: Problem[] = [];
    if (!username) missing.push({ field: 'username', text: msg('Nhập tên đăng nhập.', { id: 'signin.need_username' }) });
    if (!password) missing.push({ field: 'password', text: msg('Nhập mật khẩu.', { id: 'signin.need_password' }) });
    if (missing.length) return this.show(missing);
    this.busy = true;
    try {
      const { user } = await api.post('/api/auth/login', { body: { username, password } });
      this.problems = [];
      this.input('password').value = '';
      this.dispatchEvent(new CustomEvent<Schemas['User']>('signed-in', { detail: user, bubbles: true, composed: true }));
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, 'network', String(err));
      this.input('password').value = '';
      this.show([
        { field: e.code === 'auth.invalid_credentials' || e.code === 'auth.throttled' ? 'password' : 'username', text: problemMessage(e) },
      ]);
    } finally {
      this.busy = false;
    }
  }

  private async show(problems: Problem[]) {
    this.problems = problems;
    await this.updateComplete;
    (this.renderRoot.querySelector('.error-summary') as HTMLElement | null)?.focus();
  }

  private goTo(e: Event, field: Field) {
    e.preventDefault();
    this.input(field).focus();
  }

  private field(field: Field) {
    return this.problems.find((p) => p.field === field)?.text;
  }

  override render() {
    const userError = this.field('username');
    const passError = this.field('password');
    return html`${
      this.problems.length
        ? html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="summary-title">
            <h2 id="summary-title">${msg('Chưa đăng nhập được', { id: 'signin.summary' })}</h2>
            <ul>
              ${this.problems.map((p) => html`<li><a href="#${p.field}" @click=${(e: Event) => this.goTo(e, p.field)}>${p.text}</a></li>`)}
            </ul>
          </div>`
        : nothing
    }
      <form novalidate @submit=${this.submit}>
        <sl-input
          id="username"
          name="username"
          class=${userError ? 'invalid' : ''}
          label=${msg('Tên đăng nhập', { id: 'signin.username' })}
          autocomplete="username"
          autocapitalize="off"
          spellcheck="false"
          .value=${this.username}
          help-text=${userError ?? ''}
        ></sl-input>
        <sl-input
          id="password"
          name="password"
          type="password"
          class=${passError ? 'invalid' : ''}
          label=${msg('Mật khẩu', { id: 'signin.password' })}
          autocomplete="current-password"
          password-toggle
          help-text=${passError ?? ''}
        ></sl-input>
        <sl-button type="submit" variant="primary" ?loading=${this.busy}>${msg('Đăng nhập', { id: 'signin.submit' })}</sl-button>
      </form>`;
  }
}
customElements.define('mc-sign-in-form', SignInForm);
