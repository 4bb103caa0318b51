import { LitElement, css, html } from 'lit';
import { msg, updateWhenLocaleChanges } from '@lit/localize';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import { currentLanguage, useLanguage } from '../i18n/locale.ts';

/** One button that offers the other language, named in that language (so either reader finds it). */
export class LanguageSwitch extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
    }
  `;

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  override render() {
    const other = currentLanguage() === 'vi' ? 'en' : 'vi';
    const label = other === 'en' ? 'English' : 'Tiếng Việt';
    return html`<sl-button
      size="small"
      lang=${other}
      title=${msg('Đổi ngôn ngữ', { id: 'language.switch' })}
      @click=${() => useLanguage(other)}
      >${label}</sl-button
    >`;
  }
}
customElements.define('mc-language-switch', LanguageSwitch);
