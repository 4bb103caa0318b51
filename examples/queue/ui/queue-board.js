// @ts-check
/**
 * <queue-board unit-id="…">: the waiting-room screen. A placeholder without dependencies
 * (lit is not installed in this repository); it polls GET /api/queue/board and renders
 * plain DOM. Browser-ready JavaScript: the app serves it as it is from /plugins/queue/ui/queue-board.js
 * (`ui.assets`, `ui.entry`), and the runtime UI loads it lazily.
 *
 * @typedef {{ serving: { code: string; desk: string | null }[]; waiting: number; messages: { vi: string; tone: string }[] }} BoardData
 */

// Importable on the server too (tests, tooling), where HTMLElement does not exist.
const Base = /** @type {typeof HTMLElement} */ (globalThis.HTMLElement ?? class {});

export class QueueBoard extends Base {
  /** @type {ReturnType<typeof setInterval> | undefined} */
  timer = undefined;

  connectedCallback() {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), 5000);
  }

  disconnectedCallback() {
    clearInterval(this.timer);
  }

  async refresh() {
    const unitId = this.getAttribute('unit-id');
    if (!unitId) return;
    const res = await fetch(`/api/queue/board?unitId=${encodeURIComponent(unitId)}`, { credentials: 'same-origin' });
    if (!res.ok) return;
    this.render(/** @type {BoardData} */ (await res.json()));
  }

  /** @param {BoardData} board */
  render(board) {
    const rows = board.serving.map((s) => {
      const li = document.createElement('li');
      li.textContent = `${s.code} → ${s.desk ?? ''}`;
      return li;
    });
    const list = document.createElement('ul');
    list.append(...rows);
    const waiting = document.createElement('p');
    waiting.textContent = `Đang chờ: ${board.waiting}`;
    const notes = board.messages.map((m) => {
      const p = document.createElement('p');
      p.className = `message ${m.tone}`;
      p.textContent = m.vi;
      return p;
    });
    this.replaceChildren(list, waiting, ...notes);
  }
}

if (globalThis.customElements && !customElements.get('queue-board')) customElements.define('queue-board', QueueBoard);
