/**
 * The lookup page's own stylesheet, linked after the public pages' common one
 * (core/catalogue/public-style.ts): the form, the error summary, the result, the evaluation.
 * Served as a file: the pages' Content-Security-Policy refuses inline styles.
 */
export const LOOKUP_STYLESHEET = '/assets/tra-cuu.css';

export const LOOKUP_CSS = `form.lookup { display: grid; gap: 1rem; background: #f5f5f5; padding: 1rem; border-radius: 4px; max-width: 36rem; }
form.lookup label, fieldset legend { display: block; font-weight: 600; }
form.lookup .hint, fieldset .hint { display: block; color: #444; font-size: .95rem; margin: .15rem 0 .35rem; }
form.lookup input.code { font-family: ui-monospace, monospace; }
form.lookup input.secret { max-width: 8rem; letter-spacing: .2em; }
.field-error { display: block; color: #b40000; font-weight: 600; margin: .15rem 0 .35rem; }
.invalid input, input[aria-invalid="true"] { border: 2px solid #b40000; }
.invalid { border-left: 4px solid #b40000; padding-left: .75rem; }
.error-summary { border: 3px solid #b40000; padding: .75rem 1rem; margin: 1rem 0; max-width: 36rem; }
.error-summary h2 { margin-top: 0; border: 0; font-size: 1.2rem; }
.error-summary ul { margin: 0; padding-left: 1.2rem; }
.error-summary a { color: #b40000; font-weight: 600; }
.notice { border-left: 5px solid #0b6e35; background: #eef7f1; padding: .75rem 1rem; max-width: 36rem; }
.status-now { font-size: 1.2rem; font-weight: 700; }
ol.timeline { padding-left: 1.4rem; }
ol.timeline li { margin: .25rem 0; }
form.evaluation { max-width: 44rem; }
form.evaluation fieldset { border: 1px solid #bbb; border-radius: 4px; margin: 0 0 1rem; padding: .5rem 1rem .75rem; }
form.evaluation legend { padding: 0 .25rem; }
form.evaluation .choice { display: flex; gap: .5rem; align-items: center; min-height: 2rem; }
form.evaluation .choice input { width: 1.25rem; height: 1.25rem; margin: 0; flex: none; }
form.evaluation .choice label { font-weight: normal; }
.error-summary:focus { outline: 3px solid #ffbf47; outline-offset: 2px; }
/* The result's heading takes focus only so screen readers start there: no ring, it is not a control. */
h2[tabindex="-1"]:focus { outline: none; }
@media print {
  form.lookup, form.evaluation, .error-summary, .evaluation-note { display: none !important; }
  .status-now { font-size: 12pt; }
}
`;
