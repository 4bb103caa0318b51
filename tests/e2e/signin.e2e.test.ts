// The clerk UI in a real browser (issue 16, first slice): sign-in with its problems, the shell,
// keyboard-only sign-in, the language switch, session expiry that keeps what was typed, sign-out.
// Each screen passes axe-core (no serious or critical WCAG 2.x AA finding) and the page logs no
// CSP violation. Screenshots land in test-results/screens/. How it runs: docs/ui.md § Browser tests.
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { describeInBrowser, poll, screenshot, seriousViolations, useBrowserSession, type DemoServer } from './browser.ts';

/** The server's own SQLite driver, to lock an account as ten failures would (no types shipped: the little used is typed here). */
const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => {
  prepare(sql: string): { run(): unknown };
  close(): void;
};
describeInBrowser('the clerk UI in Chromium', () => {
  const session = useBrowserSession();
  let server: DemoServer;
  let context: BrowserContext;
  let page: Page;
  const { cspViolations, pageErrors } = session;

  beforeAll(() => {
    ({ server, context, page } = session);
  });

  /** The ids along the focus path through shadow roots (the field's host, then its inner input). */
  const focusedIds = () =>
    page.evaluate(() => {
      const ids: string[] = [];
      for (let el = document.activeElement; el; el = el.shadowRoot?.activeElement ?? null) ids.push(el.id);
      return ids;
    });
  const heading = () => page.locator('h1:focus');
  const accessible = async (name: string) => {
    await screenshot(page, name);
    expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
  };
  async function signIn(username: string, password: string) {
    await page.getByLabel('Tên đăng nhập', { exact: true }).fill(username);
    await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
  }

  it('Given no session, When a clerk opens /app/, Then the sign-in screen shows in Vietnamese with its heading focused', async () => {
    await page.goto(`${server.origin}/app/`);
    await poll(() => heading().textContent()).toBe('Đăng nhập');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('vi');
    await accessible('01-dang-nhap');
  });

  it('Given empty fields, When the clerk presses Đăng nhập, Then the summary lists both and its links move to the fields', async () => {
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    const summary = page.locator('.error-summary');
    await poll(() => summary.textContent()).toContain('Nhập tên đăng nhập.');
    expect(await summary.textContent()).toContain('Nhập mật khẩu.');
    await summary.getByRole('link', { name: 'Nhập mật khẩu.' }).click();
    expect(await focusedIds()).toContain('password');
  });

  it('Given a wrong password, Then the answer is a Vietnamese sentence in the summary and under the password', async () => {
    await signIn('clerk', 'sai-mat-khau');
    const summary = page.locator('.error-summary');
    await poll(() => summary.textContent()).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
    expect(await page.locator('sl-input#password').getAttribute('help-text')).toContain('không đúng');
    expect(await page.getByLabel('Mật khẩu', { exact: true }).inputValue()).toBe('');
    await accessible('02-sai-mat-khau');
  });

  it('Given three quick failures for a name, When a fourth comes at once, Then the clerk is told to wait, in seconds', async () => {
    const failures = await page.evaluate(async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'specialist', password: `sai-${i}` }),
        });
        statuses.push(res.status);
      }
      return statuses;
    });
    expect(failures).toEqual([401, 401, 401]);
    await signIn('specialist', 'demo');
    await poll(() => page.locator('.error-summary').textContent()).toMatch(/Vui lòng chờ \d+ giây rồi thử lại\./);
    await accessible('03-cho-thu-lai');
  });

  it('Given an account locked after repeated failures, Then the clerk is told to ask the administrator', async () => {
    const db = new Database(join(server.dataDir, 'motcua.sqlite'));
    try {
      db.prepare("UPDATE users SET locked_at = created_at WHERE username = 'leader'").run();
    } finally {
      db.close();
    }
    await signIn('leader', 'demo');
    await poll(() => page.locator('.error-summary').textContent()).toContain('Tài khoản đã bị khóa');
    expect(await page.locator('.error-summary').textContent()).toContain('liên hệ quản trị viên');
  });

  it('Given the keyboard only, When the clerk tabs from the heading, types and presses Enter, Then the shell opens on the inbox', async () => {
    await page.goto(`${server.origin}/app/`);
    await poll(() => heading().textContent()).toBe('Đăng nhập');
    await page.keyboard.press('Tab');
    await page.keyboard.type('clerk');
    await page.keyboard.press('Tab');
    await page.keyboard.type('demo');
    await page.keyboard.press('Enter');
    await poll(() => page.locator('mc-inbox h1').textContent()).toBe('Hộp việc');
    const header = await page.locator('header.bar').textContent();
    expect(header).toContain('Trần Thị Tiếp Nhận (demo)');
    expect(header).toContain('Đăng xuất');
    expect(await page.locator('nav a').allTextContents()).toEqual(['Hộp việc', 'Tiếp nhận', 'Tra cứu hồ sơ', 'Tài khoản của tôi']);
    await page.getByRole('link', { name: 'Tài khoản của tôi' }).click();
    await poll(() => page.locator('mc-home h1').textContent()).toBe('Xin chào Trần Thị Tiếp Nhận (demo)');
    expect(await page.locator('mc-home tbody').textContent()).toContain('Tiếp nhận hồ sơ');
    await accessible('04-tai-khoan');
  });

  it('Given the shell, When the clerk switches to English, Then every screen speaks English, after a reload too, and switches back', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await poll(() => page.locator('mc-home h1').textContent()).toBe('Hello Trần Thị Tiếp Nhận (demo)');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.reload();
    await poll(() => page.locator('nav a').allTextContents()).toEqual(['Inbox', 'Receive', 'Find dossiers', 'My account']);
    await accessible('05-english');
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await poll(() => page.locator('mc-home h1').textContent()).toBe('Xin chào Trần Thị Tiếp Nhận (demo)');
    expect(await page.evaluate(() => localStorage.getItem('motcua.language'))).toBe('vi');
  });

  it('Given the dossier search, When the clerk searches, Then the dossiers of their desk are listed with Vietnamese dates', async () => {
    await page.getByRole('link', { name: 'Tra cứu hồ sơ' }).click();
    await poll(() => page.url()).toBe(`${server.origin}/app/tra-cuu-ho-so`);
    await page.getByRole('button', { name: 'Tìm' }).click();
    await poll(() => page.locator('mc-dossier-search tbody tr').count()).toBeGreaterThan(0);
    const received = (await page.locator('mc-dossier-search tbody td:nth-child(4)').allTextContents()).filter(Boolean);
    expect(received.length).toBeGreaterThan(0);
    for (const date of received) expect(date).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    await accessible('06-tra-cuu-ho-so');
  });

  it('Given a session that has ended, When a call answers 401, Then a sign-in dialog opens over the page, and after signing in the call is made and the input kept', async () => {
    const query = page.getByLabel('Mã hồ sơ hoặc tên người nộp', { exact: true });
    await query.fill('khong-co-ho-so-nay');
    await context.clearCookies();
    await page.getByRole('button', { name: 'Tìm' }).click();
    const dialog = page.getByRole('dialog', { name: 'Phiên làm việc đã hết hạn' });
    await poll(() => dialog.isVisible()).toBe(true);
    // The form is slotted into the dialog: a child of sl-dialog, not of its inner role=dialog part.
    const again = page.locator('sl-dialog#session mc-sign-in-form');
    expect(await again.getByLabel('Tên đăng nhập', { exact: true }).inputValue()).toBe('clerk');
    await poll(focusedIds).toContain('password');
    // Shown once Shoelace's opening animation is over, so the screenshot and axe see the finished dialog.
    await page.waitForFunction(() => {
      const dialog = document.querySelector('mc-app')?.shadowRoot?.querySelector('sl-dialog');
      return !!dialog?.shadowRoot && dialog.shadowRoot.getAnimations().length === 0;
    });
    await accessible('07-het-phien');
    await again.getByLabel('Mật khẩu', { exact: true }).fill('demo');
    await again.getByLabel('Mật khẩu', { exact: true }).press('Enter');
    await poll(() => dialog.isVisible()).toBe(false);
    await poll(() => page.locator('mc-dossier-search [role=status]').textContent()).toBe('0 hồ sơ');
    expect(await query.inputValue()).toBe('khong-co-ho-so-nay');
  });

  it('Given a session that has ended, When someone else signs in from the dialog, Then nothing of the previous person’s page is kept or sent: the app starts afresh as them', async () => {
    const query = page.getByLabel('Mã hồ sơ hoặc tên người nộp', { exact: true });
    await query.fill('cua-nguoi-truoc');
    await context.clearCookies();
    await page.getByRole('button', { name: 'Tìm' }).click();
    const again = page.locator('sl-dialog#session mc-sign-in-form');
    await poll(() => again.isVisible()).toBe(true);
    await again.getByLabel('Tên đăng nhập', { exact: true }).fill('xa.chuyenvien');
    await again.getByLabel('Mật khẩu', { exact: true }).fill('demo');
    await again.getByLabel('Mật khẩu', { exact: true }).press('Enter');
    await poll(() => page.url()).toBe(`${server.origin}/app/`);
    await poll(() => page.locator('mc-app header.bar').textContent()).not.toContain('Trần Thị Tiếp Nhận');
    expect(await page.locator('mc-dossier-search').count()).toBe(0);
    // Back to the clerk for the tests that follow.
    await context.clearCookies();
    await page.reload();
    await signIn('clerk', 'demo');
    await poll(() => page.getByRole('link', { name: 'Tra cứu hồ sơ' }).isVisible()).toBe(true);
  });

  it('Given the shell, When the clerk signs out, Then the sign-in screen says so and the session is gone', async () => {
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await poll(() => page.locator('mc-sign-in-page .notice').textContent()).toBe('Bạn đã đăng xuất.');
    expect(await page.evaluate(async () => (await fetch('/api/me')).status)).toBe(401);
    await accessible('08-da-dang-xuat');
  });

  it('Given every screen above, Then the page logged no CSP violation and no script error', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
