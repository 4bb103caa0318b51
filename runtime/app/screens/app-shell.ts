import { LitElement, css, html, nothing } from 'lit';
import { msg, updateWhenLocaleChanges } from '@lit/localize';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import type SlDialog from '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import { api, ApiError, handleSessionExpiry, type Schemas } from '../api/client.ts';
import { shared } from './shared-styles.ts';
import type { SignInForm } from './sign-in-form.ts';
import './sign-in-page.ts';
import './sign-in-form.ts';
import './language-switch.ts';
import './home.ts';
import './inbox.ts';
import './dossier-search.ts';
import './intake-wizard.ts';

/** The screens that exist, in the nav's order; an entry shows when the user holds its permission anywhere. */
const SCREENS = [
  { path: '/app/', id: 'inbox', permission: null },
  { path: '/app/tiep-nhan', id: 'intake', permission: 'dossier.receive' },
  { path: '/app/tra-cuu-ho-so', id: 'search', permission: 'dossier.read' },
  { path: '/app/tai-khoan', id: 'home', permission: null },
] as const;
type ScreenId = (typeof SCREENS)[number]['id'];

function screenLabel(id: ScreenId): string {
  switch (id) {
    case 'inbox':
      return msg('Hộp việc', { id: 'nav.inbox' });
    case 'intake':
      return msg('Tiếp nhận', { id: 'nav.intake' });
    case 'search':
      return msg('Tra cứu hồ sơ', { id: 'nav.search' });
    case 'home':
      return msg('Tài khoản của tôi', { id: 'nav.account' });
  }
}

/** "g" then "i" within a second, outside a field: to the inbox from any screen. */
function typingIn(e: KeyboardEvent): boolean {
  return e
    .composedPath()
    .some(
      (t) =>
        t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|SL-INPUT|SL-SELECT|SL-TEXTAREA)$/.test(t.tagName)),
    );
}

/**
 * The clerk UI: finds out who is signed in, shows the sign-in screen or the shell (header with
 * the user and their units, language switch, sign-out; the nav; the screen of the address).
 * When a call finds the session gone, a sign-in dialog opens over the page as it is, and the call
 * is sent again after signing in (api/client.ts).
 */
export class AppShell extends LitElement {
  static override properties = { me: { state: true }, state: { state: true }, path: { state: true }, notice: { state: true } };
  static override styles = [
    shared,
    css`
      header.bar {
        background: var(--mc-brand);
        color: #fff;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1.25rem;
        padding: 0.6rem 1.5rem;
      }
      .brand {
        font-weight: 700;
        font-size: 1.15rem;
        color: #fff;
        text-decoration: none;
        margin-right: auto;
      }
      .brand:focus-visible,
      nav a:focus-visible {
        outline: 3px solid var(--mc-focus);
      }
      .who {
        text-align: right;
        line-height: 1.3;
      }
      .who .units {
        font-size: 0.85rem;
        opacity: 0.95;
      }
      nav {
        background: #fff;
        border-bottom: 1px solid #d6d3d1;
        padding: 0 1.5rem;
      }
      nav ul {
        list-style: none;
        display: flex;
        gap: 0.25rem;
        margin: 0;
        padding: 0;
      }
      nav a {
        display: block;
        padding: 0.7rem 0.9rem;
        color: var(--mc-text);
        text-decoration: none;
        border-bottom: 4px solid transparent;
      }
      nav a[aria-current='page'] {
        border-bottom-color: var(--mc-brand);
        font-weight: 600;
      }
      nav a:hover {
        text-decoration: underline;
      }
      main {
        padding: 1.5rem;
        max-width: 80rem;
      }
      sl-dialog p {
        margin-top: 0;
      }
      sl-dialog::part(body) {
        padding-top: 0;
      }
      /* The dialog stays until the person signs in again: no close button to press in vain. */
      sl-dialog::part(close-button) {
        display: none;
      }
      .loading {
        padding: 2rem;
      }
    `,
  ];
  declare me: Schemas['Me'] | null;
  declare state: 'loading' | 'signed-out' | 'signed-in';
  declare path: string;
  declare notice: string;
  private reauth: { resolve: () => void } | null = null;

  constructor() {
    super();
    this.me = null;
    this.state = 'loading';
    this.path = location.pathname;
    this.notice = '';
    updateWhenLocaleChanges(this);
    addEventListener('popstate', () => (this.path = location.pathname));
    // A screen asks to go elsewhere (the inbox opening a dossier): as a click on a link would.
    this.addEventListener('mc-navigate', (e) => this.navigate((e as CustomEvent<{ path: string }>).detail.path));
    let g = 0;
    document.addEventListener('keydown', (e) => {
      if (this.state !== 'signed-in' || e.ctrlKey || e.metaKey || e.altKey || typingIn(e)) return;
      if (e.key === 'g') g = Date.now();
      else if (e.key === 'i' && Date.now() - g < 1000) {
        g = 0;
        this.navigate('/app/');
      }
    });
    handleSessionExpiry(() => this.askToSignInAgain());
  }

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this.me = await api.get('/api/me', { reauth: false });
      this.state = 'signed-in';
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      this.me = null;
      this.state = 'signed-out';
    }
  }

  private screens() {
    return SCREENS.filter((s) => !s.permission || this.me?.permissions.includes(s.permission));
  }

  private current() {
    const path = this.path === '/app' ? '/app/' : this.path;
    return this.screens().find((s) => s.path === path);
  }

  private go(e: MouseEvent, path: string) {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    this.navigate(path);
  }

  /** To a screen of the app (path and query); its heading takes the focus. */
  private navigate(to: string) {
    history.pushState(null, '', to);
    this.path = location.pathname;
    void this.updateComplete.then(() => {
      const screen = this.renderRoot.querySelector('main > *') as LitElement | null;
      void screen?.updateComplete.then(() => (screen.renderRoot.querySelector('h1') as HTMLElement | null)?.focus());
    });
  }

  private async signOut() {
    await api.post('/api/auth/logout').catch(() => undefined);
    this.me = null;
    this.notice = msg('Bạn đã đăng xuất.', { id: 'signout.done' });
    this.state = 'signed-out';
  }

  private async signedIn() {
    this.notice = '';
    await this.load();
  }

  /** Opens the sign-in dialog over the page; resolves once signed in again. */
  private askToSignInAgain(): Promise<void> {
    return new Promise((resolve) => {
      this.reauth = { resolve };
      const dialog = this.renderRoot.querySelector('#session') as SlDialog;
      void dialog.show();
    });
  }

  private async signedInAgain(e: Event) {
    e.stopPropagation();
    // Someone else signed in: the page and the waiting call were the previous person's, so neither
    // is carried over to the new session; the app starts afresh as the one now signed in.
    if ((e as CustomEvent<{ username: string }>).detail?.username !== this.me?.user.username) {
      location.assign('/app/');
      return;
    }
    await (this.renderRoot.querySelector('#session') as SlDialog).hide();
    this.reauth?.resolve();
    this.reauth = null;
    this.me = await api.get('/api/me', { reauth: false });
  }

  override render() {
    if (this.state === 'loading') return html`<p class="loading" role="status">${msg('Đang tải…', { id: 'app.loading' })}</p>`;
    if (this.state === 'signed-out' || !this.me)
      return html`<mc-sign-in-page .notice=${this.notice} @signed-in=${this.signedIn}></mc-sign-in-page>`;
    const me = this.me;
    const units = [...new Set(me.grants.map((g) => g.unitName))].join(' · ');
    const current = this.current();
    return html`<header class="bar">
        <a class="brand" href="/app/" @click=${(e: MouseEvent) => this.go(e, '/app/')}>motcua · ${msg('Một cửa', { id: 'app.name' })}</a>
        <div class="who">
          <div>${me.user.displayName}</div>
          <div class="units">${units}</div>
        </div>
        <mc-language-switch></mc-language-switch>
        <sl-button size="small" @click=${this.signOut}>${msg('Đăng xuất', { id: 'signout.button' })}</sl-button>
      </header>
      <nav aria-label=${msg('Chức năng', { id: 'nav.label' })}>
        <ul>
          ${this.screens().map(
            (s) =>
              html`<li>
                <a href=${s.path} aria-current=${current === s ? 'page' : nothing} @click=${(e: MouseEvent) => this.go(e, s.path)}
                  >${screenLabel(s.id)}</a
                >
              </li>`,
          )}
        </ul>
      </nav>
      <main>${this.screen(current?.id, me)}</main>
      <sl-dialog
        id="session"
        label=${msg('Phiên làm việc đã hết hạn', { id: 'session.title' })}
        @sl-request-close=${this.keepOpen}
        @sl-initial-focus=${this.focusForm}
      >
        <p>${msg('Hãy đăng nhập lại để tiếp tục. Những gì bạn đang nhập trên trang vẫn được giữ nguyên.', { id: 'session.lead' })}</p>
        <mc-sign-in-form .username=${me.user.username} @signed-in=${this.signedInAgain}></mc-sign-in-form>
      </sl-dialog>`;
  }

  /** Opening, the dialog would focus itself: the password field it asks for takes the focus instead. */
  private focusForm(e: Event) {
    e.preventDefault();
    ((e.currentTarget as SlDialog).querySelector('mc-sign-in-form') as SignInForm).focusFirst();
  }

  /** The dialog stays until the person signs in: closing it would leave the call hanging. */
  private keepOpen(e: CustomEvent<{ source: string }>) {
    if (this.reauth) e.preventDefault();
  }

  private screen(id: ScreenId | undefined, me: Schemas['Me']) {
    switch (id) {
      case 'inbox':
        return html`<mc-inbox></mc-inbox>`;
      case 'home':
        return html`<mc-home .me=${me}></mc-home>`;
      case 'search':
        return html`<mc-dossier-search></mc-dossier-search>`;
      case 'intake':
        return html`<mc-intake-wizard .username=${me.user.username}></mc-intake-wizard>`;
      default:
        return html`<h1>${msg('Không có trang này', { id: 'app.not_found' })}</h1>
          <p><a href="/app/" @click=${(e: MouseEvent) => this.go(e, '/app/')}>${msg('Về trang chủ', { id: 'app.go_home' })}</a></p>`;
    }
  }
}
customElements.define('mc-app', AppShell);
