/**
 * <queue-board unit-id="…">: the waiting-room screen. A placeholder without dependencies
 * (lit is not installed in this repository); it polls GET /api/queue/board and renders
 * plain DOM. The runtime UI loads this module lazily from `ui.entry`.
 */
interface BoardData {
  serving: { code: string; desk: string | null }[];
  waiting: number;
  messages: { vi: string; tone: string }[];
}

// Importable on the server too (tests, tooling), where HTMLElement does not exist.
const Base = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

export class QueueBoard extends Base {
  private timer: ReturnType<typeof setInterval> | undefined;

  connectedCallback(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), 5000);
  }

  disconnectedCallback(): void {
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    const unitId = this.getAttribute('unit-id');
    if (!unitId) return;
    const res = await fetch(`/api/queue/board?unitId=${encodeURIComponent(unitId)}`, { credentials: 'same-origin' });
    if (!res.ok) return;
    this.render((await res.json()) as BoardData);
  }

  private render(board: BoardData): void {
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
