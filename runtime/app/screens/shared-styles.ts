import { css } from 'lit';

/** What every screen shares: a visible focus ring, the error summary, headings. */
export const shared = css`
  :host {
    display: block;
  }
  a {
    color: #0645ad;
  }
  h1 {
    font-size: 1.6rem;
    margin: 0 0 1rem;
  }
  a:focus-visible,
  h1:focus-visible,
  h2:focus-visible,
  [tabindex='-1']:focus-visible {
    outline: 3px solid var(--sl-focus-ring-color);
    outline-offset: 2px;
  }
  h1[tabindex='-1']:focus:not(:focus-visible) {
    outline: none;
  }
  .error-summary {
    border: 3px solid #b3261e;
    padding: 0.75rem 1rem;
    margin: 0 0 1.25rem;
    background: #fff;
  }
  .error-summary h2 {
    font-size: 1.1rem;
    margin: 0 0 0.5rem;
    color: #8c1d18;
  }
  .error-summary ul {
    margin: 0;
    padding-left: 1.25rem;
  }
  .error-summary a {
    color: #8c1d18;
    font-weight: 600;
  }
  sl-input.invalid::part(base) {
    border-color: #b3261e;
    border-width: 2px;
  }
  sl-input.invalid::part(form-control-help-text) {
    color: #8c1d18;
    font-weight: 600;
  }
`;
