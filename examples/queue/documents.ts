import type { DocumentTemplate } from '../../core/plugin-api.ts';

/**
 * The printed slip a citizen takes from the kiosk (80 mm thermal paper). Variables:
 * unitName, code, serviceName, issuedAt (already formatted), waitingAhead.
 */
export const ticketSlip: DocumentTemplate = {
  id: 'queue.ticket',
  title: { vi: 'Phiếu số thứ tự', en: 'Queue ticket' },
  engine: 'handlebars',
  source: `<article class="queue-ticket">
  <header>
    <p class="unit">{{unitName}}</p>
    <h1>PHIẾU SỐ THỨ TỰ</h1>
  </header>
  <p class="code">{{code}}</p>
  {{#if serviceName}}<p class="service">Lĩnh vực: {{serviceName}}</p>{{/if}}
  <p class="ahead">Số người đang chờ trước quý khách: <strong>{{waitingAhead}}</strong></p>
  <p class="time">Thời gian lấy số: {{issuedAt}}</p>
  <footer>
    <p>Vui lòng theo dõi màn hình và loa gọi số.</p>
    <p>Số thứ tự chỉ có giá trị trong ngày.</p>
  </footer>
</article>
`,
};

export const documents = [ticketSlip];
