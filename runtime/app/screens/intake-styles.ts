import { css } from 'lit';

/** The intake wizard's own styles (intake-wizard.ts), beside the shared ones. */
export const intakeStyles = css`
    /* Shoelace's pale grey edges of fields, radios and check boxes are under the 3:1 a control's boundary needs. */
    :host {
      --sl-input-border-color: #767676;
      --sl-input-border-color-hover: #44403c;
    }
    /* The heading and the error summary take the focus so a screen reader starts there; they are not controls, so no ring. */
    h1[tabindex='-1']:focus,
    .error-summary[tabindex='-1']:focus {
      outline: none;
    }
    .error-summary {
      max-width: 56rem;
    }
    .caption {
      color: var(--mc-muted);
      margin: 0 0 0.25rem;
      font-size: 1rem;
    }
    h1 {
      margin: 0 0 1.25rem;
    }
    h2 {
      font-size: 1.2rem;
      margin: 1.5rem 0 0.75rem;
    }
    .panel {
      background: #fff;
      border: 1px solid #d6d3d1;
      padding: 1.25rem 1.5rem;
      max-width: 56rem;
    }
    form {
      display: grid;
      gap: 1.25rem;
      max-width: 56rem;
    }
    .search {
      display: flex;
      gap: 0.75rem;
      align-items: start;
      flex-wrap: wrap;
    }
    .search sl-input {
      flex: 1 1 24rem;
      max-width: 36rem;
    }
    .search sl-button {
      margin-top: calc(var(--sl-input-label-font-size-medium) * 1.5 + var(--sl-spacing-3x-small));
    }
    .hits {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      gap: 0.5rem;
      max-width: 56rem;
    }
    .hit {
      display: block;
      width: 100%;
      text-align: left;
      font: inherit;
      color: inherit;
      background: #fff;
      border: 1px solid #a8a29e;
      border-radius: 4px;
      padding: 0.65rem 0.9rem;
      cursor: pointer;
    }
    .hit:hover {
      border-color: var(--sl-color-primary-600);
      background: #f8fafc;
    }
    .hit:focus-visible {
      outline: 3px solid var(--sl-focus-ring-color);
      outline-offset: 2px;
    }
    .hit .code {
      font-weight: 700;
      margin-right: 0.5rem;
    }
    .hit .name {
      font-weight: 600;
    }
    .hit .meta {
      display: block;
      color: var(--mc-muted);
      font-size: 0.9rem;
    }
    .chosen {
      border-left: 5px solid var(--sl-color-primary-600);
      background: #fff;
      padding: 0.75rem 1rem;
      margin: 0 0 1.25rem;
      max-width: 56rem;
    }
    .chosen p {
      margin: 0;
    }
    sl-radio-group::part(form-control-label) {
      font-weight: 600;
      font-size: 1.05rem;
      margin-bottom: 0.4rem;
    }
    sl-radio {
      margin: 0.35rem 0;
    }
    .radio-hint {
      display: block;
      color: var(--mc-muted);
      font-size: 0.9rem;
    }
    .docs {
      display: grid;
      gap: 0.6rem;
    }
    .doc {
      display: grid;
      grid-template-columns: 1fr auto;
      gap: 0.5rem 1.5rem;
      align-items: center;
      background: #fff;
      border: 1px solid #d6d3d1;
      border-left: 5px solid #d6d3d1;
      padding: 0.6rem 1rem;
    }
    .doc.ticked {
      border-left-color: #166534;
    }
    .doc p {
      margin: 0;
    }
    .doc-name {
      font-weight: 600;
    }
    .doc-need {
      color: var(--mc-muted);
      font-size: 0.95rem;
    }
    .tag {
      display: inline-block;
      font-size: 0.8rem;
      font-weight: 600;
      padding: 0 0.4rem;
      border: 1px solid currentColor;
      border-radius: 3px;
      margin-left: 0.4rem;
      color: #44403c;
      white-space: nowrap;
    }
    .tag.required {
      color: #7c2d12;
    }
    .doc-row {
      display: flex;
      gap: 1rem;
      align-items: end;
    }
    .doc-row sl-checkbox {
      min-width: 7rem;
      padding-bottom: 0.35rem;
    }
    .doc-row sl-input {
      width: 6.5rem;
    }
    .grid-2 {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
      gap: 1.25rem;
    }
    .short {
      max-width: 18rem;
    }
    .actions {
      display: flex;
      gap: 1rem;
      align-items: center;
      flex-wrap: wrap;
      margin-top: 0.5rem;
    }
    .back {
      font: inherit;
      background: none;
      border: none;
      padding: 0.25rem 0;
      color: #0645ad;
      text-decoration: underline;
      cursor: pointer;
    }
    .restart {
      margin-left: auto;
    }
    .back:focus-visible,
    .change:focus-visible {
      outline: 3px solid var(--sl-focus-ring-color);
      outline-offset: 2px;
    }
    table.fees {
      border-collapse: collapse;
      background: #fff;
      width: 100%;
      max-width: 56rem;
    }
    table.fees th,
    table.fees td {
      text-align: left;
      padding: 0.5rem 0.75rem;
      border-bottom: 1px solid #d6d3d1;
    }
    table.fees th {
      background: #f0efed;
    }
    .fees-caption {
      text-align: left;
      color: var(--mc-muted);
      padding-bottom: 0.4rem;
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
    table.fees tr.total th,
    table.fees tr.total td {
      background: #fff;
      border-top: 2px solid #57534e;
    }
    table.fees .money {
      text-align: right;
      white-space: nowrap;
    }
    dl.answers {
      display: grid;
      grid-template-columns: minmax(10rem, 14rem) 1fr auto;
      margin: 0 0 1.5rem;
      background: #fff;
      border: 1px solid #d6d3d1;
      max-width: 56rem;
    }
    dl.answers > div {
      display: contents;
    }
    dl.answers dt,
    dl.answers dd {
      margin: 0;
      padding: 0.6rem 0.9rem;
      border-bottom: 1px solid #e7e5e4;
    }
    dl.answers dt {
      font-weight: 600;
    }
    dl.answers ul {
      margin: 0;
      padding-left: 1.1rem;
    }
    dl.answers ul.plain {
      list-style: none;
      padding: 0;
    }
    .change {
      font: inherit;
      background: none;
      border: none;
      color: #0645ad;
      text-decoration: underline;
      cursor: pointer;
      padding: 0;
    }
    .missing-doc {
      color: #8c1d18;
      font-weight: 600;
    }
    .warning {
      border-left: 5px solid #b45309;
      background: #fffbeb;
      padding: 0.6rem 1rem;
      margin: 0 0 1rem;
      max-width: 56rem;
    }
    .warning ul {
      margin: 0.25rem 0 0;
    }
    .field-error {
      color: #8c1d18;
      font-weight: 600;
      margin: 0.25rem 0 0;
    }
    .result {
      border: 3px solid #166534;
      background: #fff;
      padding: 1rem 1.5rem;
      max-width: 56rem;
      margin-bottom: 1.25rem;
    }
    .result.refused {
      border-color: #8c1d18;
    }
    .result.supplement {
      border-color: #b45309;
    }
    .result .code {
      font-size: 1.8rem;
      font-weight: 700;
      letter-spacing: 0.02em;
    }
    .result p {
      margin: 0.25rem 0;
    }
    iframe.form {
      width: 100%;
      max-width: 56rem;
      height: 40rem;
      border: 1px solid #a8a29e;
      background: #fff;
      display: block;
      margin-top: 1rem;
    }
    sl-input.invalid::part(base),
    sl-textarea.invalid::part(base) {
      border-color: #b3261e;
      border-width: 2px;
    }
    sl-textarea.invalid::part(form-control-help-text),
    sl-radio-group.invalid::part(form-control-help-text) {
      color: #8c1d18;
      font-weight: 600;
    }
    sl-input,
    sl-textarea,
    sl-radio-group {
      --sl-input-label-font-size-medium: 1rem;
    }
    sl-input::part(form-control-label),
    sl-textarea::part(form-control-label) {
      font-weight: 600;
    }
`;
