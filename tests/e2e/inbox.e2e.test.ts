// The clerk's inbox (Hộp việc, issue 16) in a real browser, on the demo desk's tasks: the tabs
// carry the API's counts, each row its time left in words and band colour, pages load through
// X-Next-Cursor ("Tải thêm", two rows a page here), the keyboard alone moves, opens and comes
// back, `?` lists the shortcuts. axe-core on each state; screenshots in test-results/screens/.
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { describeInBrowser, poll, screenshot, seriousViolations, useBrowserSession, type DemoServer } from './browser.ts';

interface ApiTask {
  id: string;
  band: string | null;
  remainingWorkingMinutes: number | null;
  dossier: { code: string; applicantName: string } | null;
}

describeInBrowser('the inbox in Chromium', () => {
  const session = useBrowserSession();
  let server: DemoServer;
  let page: Page;

  beforeAll(() => {
    ({ server, page } = session);
  });

  const inbox = () => page.locator('mc-inbox');
  const rows = () => inbox().locator('tbody tr');
  const codes = () => inbox().locator('tbody td:nth-child(3)').allTextContents();
  const focusedRow = () =>
    page.evaluate(() => {
      const root = document.querySelector('mc-app')?.shadowRoot?.querySelector('mc-inbox')?.shadowRoot;
      const active = root?.activeElement;
      return active?.tagName === 'TR' ? [...root!.querySelectorAll('tbody tr')].indexOf(active) : -1;
    });
  const api = <T>(path: string) => page.evaluate(async (p) => (await fetch(p)).json(), path) as Promise<T>;
  const accessible = async (name: string) => {
    await screenshot(page, name);
    expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
  };

  it('Given the reception clerk signs in, Then the inbox is the landing page and its tabs carry the API’s counts', async () => {
    await page.goto(`${server.origin}/app/?limit=2`);
    await page.getByLabel('Tên đăng nhập', { exact: true }).fill('clerk');
    await page.getByLabel('Mật khẩu', { exact: true }).fill('demo');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await poll(() => inbox().locator('h1').textContent()).toBe('Hộp việc');
    const counts = await api<{ mine: number; candidate: number; overdue: number; dueToday: number }>('/api/tasks/counts');
    expect(counts.candidate, 'the demo desk has tasks for its receptionists').toBeGreaterThan(2);
    const tab = (name: string) => inbox().getByRole('tab', { name: new RegExp(`^${name}`) });
    await poll(() =>
      tab('Việc của tôi')
        .textContent()
        .then((t) => t?.trim()),
    ).toMatch(new RegExp(`Việc của tôi\\s*${counts.mine}$`));
    expect(
      await tab('Theo vai trò của tôi')
        .textContent()
        .then((t) => t?.trim()),
    ).toMatch(new RegExp(`Theo vai trò của tôi\\s*${counts.candidate}$`));
    expect(
      await tab('Quá hạn')
        .textContent()
        .then((t) => t?.trim()),
    ).toMatch(new RegExp(`Quá hạn\\s*${counts.overdue}$`));
    expect(
      await tab('Đến hạn hôm nay')
        .textContent()
        .then((t) => t?.trim()),
    ).toMatch(new RegExp(`Đến hạn hôm nay\\s*${counts.dueToday}$`));
    // Nothing is the clerk's own yet: the tasks open to their role show rather than an empty list.
    expect(counts.mine).toBe(0);
    await poll(() => tab('Theo vai trò của tôi').getAttribute('aria-selected')).toBe('true');
  });

  it('Given a page size of two, Then two rows show with their band in words and colour, and Tải thêm loads the rest in the API’s order', async () => {
    const all = await api<ApiTask[]>('/api/tasks?filter=candidate&limit=100');
    await poll(codes).toEqual(all.slice(0, 2).map((t) => t.dossier!.code));
    await poll(() => inbox().getByRole('status').textContent()).toBe('Đang hiện 2 việc, còn nữa');
    const first = inbox().locator('tbody tr:first-child td:first-child .left');
    expect(await first.getAttribute('class')).toContain(`band-${all[0].band}`);
    for (const text of await inbox().locator('tbody td:first-child').allTextContents())
      expect(text.trim()).toMatch(/^(Quá hạn .+ làm việc|Còn .+ làm việc\s*(Còn sớm|Trong hạn|Sắp đến hạn)|Đến hạn.*|Không có hạn)$/);
    await accessible('11-hop-viec');

    await inbox().getByRole('button', { name: 'Tải thêm' }).click();
    await poll(codes).toEqual(all.slice(0, 4).map((t) => t.dossier!.code));
    while (await inbox().getByRole('button', { name: 'Tải thêm' }).count()) {
      const before = (await codes()).length;
      await inbox().getByRole('button', { name: 'Tải thêm' }).click();
      await poll(async () => (await codes()).length).toBeGreaterThan(before);
    }
    expect(await codes()).toEqual(all.map((t) => t.dossier!.code));
    expect(await inbox().getByRole('status').textContent()).toBe(`${all.length} việc`);
  });

  it('Given the keyboard only, Then j/k and the arrows move a visible row focus, and Enter opens the dossier of the row', async () => {
    await inbox().locator('h1').focus();
    await page.keyboard.press('j');
    await poll(focusedRow).toBe(0);
    await page.keyboard.press('j');
    await poll(focusedRow).toBe(1);
    await page.keyboard.press('k');
    await poll(focusedRow).toBe(0);
    await page.keyboard.press('ArrowDown');
    await poll(focusedRow).toBe(1);
    const outline = await inbox()
      .locator('tbody tr')
      .nth(1)
      .evaluate((tr) => getComputedStyle(tr).outlineWidth);
    expect(outline).toBe('3px');
    const height = await rows()
      .nth(1)
      .evaluate((tr) => tr.getBoundingClientRect().height);
    expect(height).toBeGreaterThanOrEqual(40);
    expect(height).toBeLessThanOrEqual(48);
    await screenshot(page, '12-hop-viec-ban-phim');
    const code = (await codes())[1];
    await page.keyboard.press('Enter');
    await poll(() => page.url()).toBe(`${server.origin}/app/tra-cuu-ho-so?q=${encodeURIComponent(code)}`);
    await poll(() => page.locator('mc-dossier-search tbody td:first-child').allTextContents()).toEqual([code]);
    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await poll(() => page.locator('mc-inbox h1:focus').textContent()).toBe('Hộp việc');
  });

  it('Given ?, Then a dialog lists the shortcuts and Esc closes it', async () => {
    await poll(() => rows().count()).toBeGreaterThan(0);
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Phím tắt' });
    await poll(() => dialog.isVisible()).toBe(true);
    // The list is slotted into sl-dialog: a child of the element, not of its inner role=dialog part.
    expect(await inbox().locator('sl-dialog#keys').textContent()).toContain('Mở hồ sơ của dòng đang chọn');
    await page.waitForFunction(() => {
      const d = document.querySelector('mc-app')?.shadowRoot?.querySelector('mc-inbox')?.shadowRoot?.querySelector('sl-dialog');
      return !!d?.shadowRoot && d.shadowRoot.getAnimations().length === 0;
    });
    await accessible('13-phim-tat');
    await page.keyboard.press('Escape');
    await poll(() => dialog.isVisible()).toBe(false);
  });

  it('Given the filter field, Then letters typed there are text, not shortcuts, and rows narrow without diacritics', async () => {
    const all = await api<ApiTask[]>('/api/tasks?filter=candidate&limit=100');
    const name = all[0].dossier!.applicantName;
    const plain = name.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
    await page.keyboard.press('/');
    await page.keyboard.type(plain);
    expect(await focusedRow()).toBe(-1);
    await poll(() => inbox().locator('tbody td:nth-child(4)').allTextContents()).toEqual([name]);
    expect(await inbox().getByRole('status').textContent()).toBe(`1 trong ${all.length} việc đã tải khớp bộ lọc`);
    await page.keyboard.press('Escape');
    await inbox().getByLabel('Lọc các việc đã tải').fill('');
  });

  it('Given Sắp xếp theo Nhận trước, Then the rows come oldest received first, as the API sorts them', async () => {
    const created = await api<ApiTask[]>('/api/tasks?filter=candidate&sort=created&limit=100');
    const asked = page.waitForRequest((r) => r.url().includes('/api/tasks?') && new URL(r.url()).searchParams.get('sort') === 'created');
    await inbox().locator('sl-select#sort').click();
    await inbox().getByRole('option', { name: 'Nhận trước' }).click();
    await asked;
    await poll(codes).toEqual(created.map((t) => t.dossier!.code));
  });

  it('Given the clerk takes a task, When the inbox reloads, Then Việc của tôi counts it and lists it first', async () => {
    const [task] = await api<ApiTask[]>('/api/tasks?filter=candidate&limit=1');
    const status = await page.evaluate(async (id) => (await fetch(`/api/tasks/${id}/claim`, { method: 'POST' })).status, task.id);
    expect(status).toBe(200);
    await page.reload();
    await poll(() =>
      inbox()
        .getByRole('tab', { name: /^Việc của tôi/ })
        .textContent()
        .then((t) => t?.trim()),
    ).toMatch(/Việc của tôi\s*1$/);
    expect(
      await inbox()
        .getByRole('tab', { name: /^Việc của tôi/ })
        .getAttribute('aria-selected'),
    ).toBe('true');
    await poll(codes).toEqual([task.dossier!.code]);
  });

  it('Given English, Then the tabs, columns and time left speak English', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await poll(() => inbox().locator('h1').textContent()).toBe('Inbox');
    expect(
      await inbox()
        .getByRole('tab', { name: /^My tasks/ })
        .count(),
    ).toBe(1);
    expect(await inbox().locator('th').allTextContents()).toEqual([
      'Time left',
      'Step',
      'Dossier code',
      'Applicant',
      'Procedure',
      'Due back',
    ]);
    expect((await inbox().locator('tbody td:first-child').first().textContent())!.trim()).toMatch(
      /^(Overdue by .+|.+ left\s*\S.*|Due now|No due time)$/,
    );
    expect(await inbox().getByRole('status').textContent()).toBe('1 task');
    // the select showed its choice in Vietnamese before the switch: it shows it in English now
    expect(
      await inbox()
        .locator('sl-select#sort')
        .evaluate((el) => (el as unknown as { displayLabel: string }).displayLabel),
    ).toBe('Soonest due');
    await accessible('14-inbox-english');
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await poll(() => inbox().locator('h1').textContent()).toBe('Hộp việc');
  });

  it('Given every step above, Then the page logged no CSP violation and no script error', () => {
    expect([...session.cspViolations, ...session.pageErrors]).toEqual([]);
  });
});
