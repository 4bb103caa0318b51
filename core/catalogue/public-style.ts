/**
 * The stylesheet of the public catalogue pages (public-format.ts links it): one accessible,
 * print-friendly layout. Served as a file rather than inline so the pages' Content-Security-
 * Policy can refuse every inline style and script.
 */
export const PUBLIC_STYLESHEET = '/assets/thu-tuc.css';

export const PUBLIC_CSS = `:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 0 1rem 2rem; color: #1a1a1a; background: #fff; }
a { color: #0645ad; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, main:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; }
.skip:focus { left: 1rem; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: baseline; border-bottom: 2px solid #b40000; padding: .75rem 0; }
header nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
header nav li { white-space: nowrap; }
.brand { font-weight: bold; font-size: 1.2rem; }
h1 { font-size: 1.6rem; margin: 1.25rem 0 .5rem; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.1rem; margin-bottom: .25rem; }
form.search { display: grid; gap: .5rem; grid-template-columns: 1fr 1fr; background: #f5f5f5; padding: 1rem; border-radius: 4px; }
form.search .wide { grid-column: 1 / -1; }
form.search label { display: block; font-weight: 600; }
input, select, button { font: inherit; padding: .4rem; width: 100%; box-sizing: border-box; }
button { background: #b40000; color: #fff; border: 0; border-radius: 3px; cursor: pointer; width: auto; padding: .5rem 1.5rem; }
ol.results { list-style: none; padding: 0; }
ol.results li { border-bottom: 1px solid #ddd; padding: .5rem 0; }
dl { display: grid; grid-template-columns: minmax(10rem, 16rem) 1fr; gap: .25rem 1rem; margin: .5rem 0; }
dt { font-weight: 600; } dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid #999; padding: .35rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #eee; }
td.n { text-align: right; white-space: nowrap; }
.code { font-family: ui-monospace, monospace; }
.pages ul { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; }
.pages a, .pages span { display: inline-block; padding: .25rem .6rem; border: 1px solid #ccc; }
.pages [aria-current] { background: #b40000; color: #fff; border-color: #b40000; }
.print-only { display: none; }
footer { margin-top: 3rem; border-top: 1px solid #ddd; font-size: .9rem; color: #444; }
@media (max-width: 40rem) { form.search, dl { grid-template-columns: 1fr; } }
@media print {
  .skip, header nav, form.search, .pages, .no-print { display: none !important; }
  .print-only { display: block; }
  body { color: #000; background: #fff; max-width: none; margin: 0; padding: 0; font-size: 11pt; }
  a { color: #000; text-decoration: none; }
  header { border-color: #000; }
  thead th { background: #fff; }
  th, td { border-color: #000; }
  thead { display: table-header-group; }
  tr, dl, h2, h3 { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  table { break-inside: auto; }
}
`;
