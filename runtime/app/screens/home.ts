import { LitElement, css, html } from 'lit';
import { msg, updateWhenLocaleChanges } from '@lit/localize';
import type { Schemas } from '../api/client.ts';
import { fill } from '../i18n/fill.ts';
import { shared } from './shared-styles.ts';
import { roleName } from './roles.ts';

/** Tài khoản của tôi: who you are, your roles by unit (the inbox is the landing page). */
export class Home extends LitElement {
  static override properties = { me: { attribute: false } };
  static override styles = [
    shared,
    css`
      table {
        border-collapse: collapse;
        background: #fff;
        min-width: min(40rem, 100%);
      }
      th,
      td {
        text-align: left;
        padding: 0.5rem 0.9rem;
        border-bottom: 1px solid #d6d3d1;
      }
      th {
        background: #f0efed;
      }
    `,
  ];
  declare me: Schemas['Me'];

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  override render() {
    return html`<h1 tabindex="-1">${fill(msg('Xin chào {name}', { id: 'home.hello' }), { name: this.me.user.displayName })}</h1>
      <h2>${msg('Vai trò của bạn', { id: 'home.roles' })}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">${msg('Vai trò', { id: 'home.role' })}</th>
            <th scope="col">${msg('Đơn vị', { id: 'home.unit' })}</th>
          </tr>
        </thead>
        <tbody>
          ${this.me.grants.map((g) => html`<tr><td>${roleName(g.role)}</td><td>${g.unitName}</td></tr>`)}
        </tbody>
      </table>`;
  }
}
customElements.define('mc-home', Home);
