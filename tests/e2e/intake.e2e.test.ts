// The desk's intake wizard in a real browser (issue 16): a clerk receives a dossier with the
// keyboard alone and gets its code and form 01; an incomplete checklist leads to a supplement
// request and form 02; a refusal needs its reasons and gives form 03; the error summary's links
// move to the field; Back and a new sign-in keep what was typed. axe-core on every step, no CSP
// violation, screenshots at 1366×768 in test-results/screens/. How it runs: docs/ui.md.
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { describeInBrowser, poll, screenshot, seriousViolations, useBrowserSession, type DemoServer } from './browser.ts';

describeInBrowser('the intake wizard in Chromium', () => {
  const session = useBrowserSession();
  let server: DemoServer;
  let context: BrowserContext;
  let page: Page;
  const { cspViolations, pageErrors } = session;

  beforeAll(async () => {
    ({ server, context, page } = session);
    await page.goto(`${server.origin}/app/`);
    await page.getByLabel('Tên đăng nhập', { exact: true }).fill('clerk');
    await page.getByLabel('Mật khẩu', { exact: true }).fill('demo');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.locator('mc-inbox h1').waitFor();
  }, 60_000);

  const wizard = () => page.locator('mc-intake-wizard');
  const heading = () => wizard().locator('h1');
  /** Each element on the focus path through shadow roots: its id and (for the outer hosts) its text. */
  const focusPath = () =>
    page.evaluate(() => {
      const path: { id: string; tag: string; text: string }[] = [];
      for (let el = document.activeElement; el; el = el.shadowRoot?.activeElement ?? null) {
        path.push({ id: el.id, tag: el.tagName.toLowerCase(), text: (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 120) });
        // A radio's group names the field.
        const group = el.closest('sl-radio-group');
        if (group && group !== el) path.push({ id: group.id, tag: 'sl-radio-group', text: '' });
      }
      return path;
    });
  /** Presses Tab (at most 80 times) until the focus is on what `match` wants: keyboard only, no clicks. */
  async function tabTo(match: (path: { id: string; tag: string; text: string }[]) => boolean, what: string) {
    for (let i = 0; i < 80; i++) {
      if (match(await focusPath())) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${what}: focus is on ${JSON.stringify(await focusPath())}`);
  }
  const tabToId = (id: string) => tabTo((p) => p.some((e) => e.id === id), `#${id}`);
  const tabToButton = (text: string) =>
    tabTo((p) => p.some((e) => (e.tag === 'sl-button' || e.tag === 'button') && e.text.startsWith(text)), text);
  const step = async (title: string, shot: string) => {
    await poll(() => heading().textContent()).toBe(title);
    await poll(() => page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.shadowRoot?.activeElement?.tagName)).toBe('H1');
    await screenshot(page, shot);
    expect(await seriousViolations(page), `axe on ${shot}`).toEqual([]);
  };

  it('Given the keyboard only, When a clerk searches "khai sinh" without diacritics, picks, ticks, fills the applicant and receives, Then the code, appointment and form 01 show', async () => {
    await page.keyboard.press('Tab');
    await tabTo((p) => p.some((e) => e.tag === 'a' && e.text === 'Tiếp nhận'), 'the nav entry Tiếp nhận');
    await page.keyboard.press('Enter');
    await poll(() => page.url()).toBe(`${server.origin}/app/tiep-nhan?buoc=thu-tuc`);
    await step('Chọn thủ tục', 'intake-01-thu-tuc');

    await tabToId('q');
    await page.keyboard.type('khai sinh');
    await page.keyboard.press('Enter');
    await poll(() => wizard().locator('.hit').count()).toBeGreaterThan(0);
    expect(await wizard().locator('.hit').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('1.001193')]));
    await screenshot(page, 'intake-01b-ket-qua-tim');
    expect(await seriousViolations(page), 'axe on the hits').toEqual([]);
    await tabTo((p) => p.some((e) => e.tag === 'button' && e.text.includes('1.001193')), 'the hit 1.001193');
    await page.keyboard.press('Enter');

    await step('Trường hợp và hình thức nộp', 'intake-02-truong-hop');
    // One case: already chosen; in person by default.
    expect(
      await wizard()
        .locator('sl-radio-group#case')
        .evaluate((g) => (g as HTMLInputElement).value),
    ).toBe('dang-ky-khai-sinh');
    await tabToButton('Tiếp tục');
    await page.keyboard.press('Enter');

    await step('Giấy tờ trong hồ sơ', 'intake-03-giay-to');
    expect(await wizard().locator('.doc .tag').allTextContents()).toEqual(['Bắt buộc', 'Bắt buộc', 'Không bắt buộc', 'Không bắt buộc']);
    for (const i of [0, 1]) {
      await tabToId(`doc-${i}-received`);
      await page.keyboard.press('Space');
    }
    await tabToButton('Tiếp tục');
    await page.keyboard.press('Enter');

    await step('Người nộp hồ sơ', 'intake-04-nguoi-nop');
    await tabToId('name');
    await page.keyboard.type('Nguyễn Thị Hoa');
    await tabToId('idNumber');
    await page.keyboard.type('02419001234'); // 11 digits: one short
    await page.keyboard.press('Enter');
    const summary = wizard().locator('.error-summary');
    await poll(() => summary.textContent()).toContain('Số định danh cá nhân gồm đúng 12 chữ số');
    expect(await wizard().locator('sl-input#idNumber').getAttribute('help-text')).toContain('12 chữ số');
    await screenshot(page, 'intake-04b-loi-so-dinh-danh');
    expect(await seriousViolations(page), 'axe on the error summary').toEqual([]);
    // The summary has the focus; its link takes the clerk to the field.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await poll(async () => (await focusPath()).map((e) => e.id)).toContain('idNumber');
    await page.keyboard.press('End');
    await page.keyboard.type('5');
    await tabToId('sex');
    await page.keyboard.press('Space'); // the first choice, Nữ
    await tabToId('birthDate');
    await page.keyboard.type('07/03/1990');
    await tabToId('phone');
    await page.keyboard.type('0912345678');
    await page.keyboard.press('Enter');

    await step('Phí, lệ phí', 'intake-05-phi');
    expect(await wizard().locator('table.fees').textContent()).toContain('0\u00a0đ');
    await tabToButton('Tiếp tục');
    await page.keyboard.press('Enter');

    await step('Kiểm tra và quyết định', 'intake-06-kiem-tra');
    const answers = await wizard().locator('dl.answers').textContent();
    expect(answers).toContain('1.001193');
    expect(answers).toContain('Nguyễn Thị Hoa');
    expect(answers).toContain('024190012345');
    expect(answers).toContain('07/03/1990');
    await tabToId('decision');
    await page.keyboard.press('Space'); // Tiếp nhận hồ sơ
    await tabToButton('Tiếp nhận hồ sơ');
    await page.keyboard.press('Enter');

    await poll(() => heading().textContent()).toBe('Đã tiếp nhận hồ sơ');
    const code = (await wizard().locator('#code').textContent())!.trim();
    expect(code.length).toBeGreaterThan(5);
    expect(await wizard().locator('.result').textContent()).toMatch(/Hẹn trả kết quả: \d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/);
    expect(await wizard().locator('#form-link').getAttribute('href')).toBe(`/api/dossiers/${encodeURIComponent(code)}/forms/01`);
    const form = page.frameLocator('mc-intake-wizard iframe.form');
    await poll(() => form.locator('body').textContent()).toContain('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    expect(await form.locator('body').textContent()).toContain(code);
    await step('Đã tiếp nhận hồ sơ', 'intake-07-da-tiep-nhan');
    // Received for real: the dossier reads as status 2 with the applicant typed.
    const read = await page.evaluate(async (c) => (await fetch(`/api/dossiers/${encodeURIComponent(c)}`)).json(), code);
    expect(read).toMatchObject({
      status: 2,
      applicant: { name: 'Nguyễn Thị Hoa', idNumber: '024190012345', sex: 'female', birthDate: '1990-03-07' },
    });
    // Printing prints the form's frame, not the page.
    await page.evaluate(() => {
      const frame = document.querySelector('mc-app')!.shadowRoot!.querySelector('mc-intake-wizard')!.shadowRoot!.querySelector('iframe')!;
      (frame.contentWindow as Window & { printed?: boolean }).print = () =>
        ((frame.contentWindow as Window & { printed?: boolean }).printed = true);
    });
    await wizard().getByRole('button', { name: 'In mẫu 01' }).click();
    expect(
      await page.evaluate(
        () =>
          (
            document.querySelector('mc-app')!.shadowRoot!.querySelector('mc-intake-wizard')!.shadowRoot!.querySelector('iframe')!
              .contentWindow as Window & { printed?: boolean }
          ).printed,
      ),
    ).toBe(true);
  });

  /** Through the steps with the mouse, to the check step of 1.001193 with `ticked` documents. */
  async function upToCheck(name: string, ticked: number[]) {
    // A fresh intake: no draft left in this tab by the test before.
    await page.evaluate(() => sessionStorage.removeItem('motcua.intake:clerk'));
    await page.goto(`${server.origin}/app/tiep-nhan`);
    await poll(() => heading().textContent()).toBe('Chọn thủ tục');
    await wizard().getByLabel('Tên hoặc mã thủ tục', { exact: true }).fill('1.001193');
    await wizard().getByRole('button', { name: 'Tìm thủ tục' }).click();
    await wizard().locator('.hit', { hasText: '1.001193' }).click();
    await poll(() => heading().textContent()).toBe('Trường hợp và hình thức nộp');
    await wizard().getByRole('button', { name: 'Tiếp tục' }).click();
    await poll(() => heading().textContent()).toBe('Giấy tờ trong hồ sơ');
    for (const i of ticked) await wizard().locator(`sl-checkbox#doc-${i}-received`).click();
    await wizard().getByRole('button', { name: 'Tiếp tục' }).click();
    await poll(() => heading().textContent()).toBe('Người nộp hồ sơ');
    await wizard().getByLabel('Họ và tên', { exact: true }).fill(name);
    await wizard().getByLabel('Số định danh cá nhân', { exact: true }).fill('001204012345');
    await wizard().getByRole('button', { name: 'Tiếp tục' }).click();
    await poll(() => heading().textContent()).toBe('Phí, lệ phí');
    await wizard().getByRole('button', { name: 'Tiếp tục' }).click();
    await poll(() => heading().textContent()).toBe('Kiểm tra và quyết định');
  }

  it('Given a required document missing, Then receiving is not offered, the request for a supplement lists it, survives an expired session, and gives form 02', async () => {
    await upToCheck('Lê Văn Bình', [0]);
    expect(await wizard().locator('.warning').textContent()).toContain('Giấy chứng sinh');
    expect(
      await wizard()
        .getByRole('radio', { name: /Tiếp nhận hồ sơ/ })
        .getAttribute('aria-disabled'),
    ).toBe('true');
    await wizard()
      .getByRole('radio', { name: /Yêu cầu bổ sung hồ sơ/ })
      .click();
    await wizard().getByLabel('Cần bổ sung thêm (mỗi dòng một mục)', { exact: true }).fill('Bản sao giấy chứng nhận kết hôn của cha mẹ');
    await screenshot(page, 'intake-06b-yeu-cau-bo-sung');
    expect(await seriousViolations(page), 'axe on the supplement decision').toEqual([]);
    // The session ends before the clerk submits: sign in again in the dialog, and the request goes through as typed.
    await context.clearCookies();
    await wizard().getByRole('button', { name: 'Yêu cầu bổ sung' }).click();
    const again = page.locator('sl-dialog#session mc-sign-in-form');
    await poll(() => page.getByRole('dialog', { name: 'Phiên làm việc đã hết hạn' }).isVisible()).toBe(true);
    await again.getByLabel('Mật khẩu', { exact: true }).fill('demo');
    await again.getByLabel('Mật khẩu', { exact: true }).press('Enter');
    await poll(() => heading().textContent()).toBe('Đã lập phiếu yêu cầu bổ sung');
    const code = (await wizard().locator('#code').textContent())!.trim();
    expect(await wizard().locator('#form-link').getAttribute('href')).toBe(`/api/dossiers/${encodeURIComponent(code)}/forms/02`);
    const form = page.frameLocator('mc-intake-wizard iframe.form');
    await poll(() => form.locator('body').textContent()).toContain('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    const text = await form.locator('body').textContent();
    expect(text).toContain('Giấy chứng sinh');
    expect(text).toContain('Bản sao giấy chứng nhận kết hôn của cha mẹ');
    await step('Đã lập phiếu yêu cầu bổ sung', 'intake-07b-phieu-bo-sung');
  });

  it('Given a refusal, Then it needs a reason (the summary links to the field), Back keeps what was typed, and it gives form 03', async () => {
    await upToCheck('Phạm Thị Cúc', [0, 1]);
    // Back, and the browser's Back, keep the applicant typed.
    await wizard().getByRole('button', { name: 'Quay lại' }).click();
    await poll(() => heading().textContent()).toBe('Phí, lệ phí');
    await page.goBack();
    await poll(() => heading().textContent()).toBe('Người nộp hồ sơ');
    expect(await wizard().getByLabel('Họ và tên', { exact: true }).inputValue()).toBe('Phạm Thị Cúc');
    await page.goForward();
    await poll(() => heading().textContent()).toBe('Phí, lệ phí');
    await wizard().getByRole('button', { name: 'Tiếp tục' }).click();
    await poll(() => heading().textContent()).toBe('Kiểm tra và quyết định');

    await wizard()
      .getByRole('radio', { name: /Từ chối tiếp nhận/ })
      .click();
    await wizard().getByRole('button', { name: 'Từ chối tiếp nhận' }).click();
    const summary = wizard().locator('.error-summary');
    await poll(() => summary.textContent()).toContain('Nhập lý do từ chối.');
    await screenshot(page, 'intake-06c-thieu-ly-do');
    expect(await seriousViolations(page), 'axe on the refusal without reasons').toEqual([]);
    await summary.getByRole('link', { name: 'Nhập lý do từ chối.' }).click();
    await poll(async () => (await focusPath()).map((e) => e.id)).toContain('reasons');
    await page.keyboard.type('Trẻ đã được đăng ký khai sinh tại xã khác');
    await wizard().getByRole('button', { name: 'Từ chối tiếp nhận' }).click();
    await poll(() => heading().textContent()).toBe('Đã từ chối tiếp nhận hồ sơ');
    const form = page.frameLocator('mc-intake-wizard iframe.form');
    await poll(() => form.locator('body').textContent()).toContain('PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ');
    expect(await form.locator('body').textContent()).toContain('Trẻ đã được đăng ký khai sinh tại xã khác');
    await step('Đã từ chối tiếp nhận hồ sơ', 'intake-07c-tu-choi');
  });

  it('Given a clerk’s unfinished intake, When another receptionist signs in on the same tab, Then they start afresh and do not see it', async () => {
    await page.evaluate(() => sessionStorage.removeItem('motcua.intake:clerk'));
    await page.goto(`${server.origin}/app/tiep-nhan`);
    await wizard().getByLabel('Tên hoặc mã thủ tục', { exact: true }).fill('1.001193');
    await wizard().getByRole('button', { name: 'Tìm thủ tục' }).click();
    await wizard().locator('.hit', { hasText: '1.001193' }).click();
    await poll(() => heading().textContent()).toBe('Trường hợp và hình thức nộp');
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByLabel('Tên đăng nhập', { exact: true }).fill('quay2.tiepnhan');
    await page.getByLabel('Mật khẩu', { exact: true }).fill('demo');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    // The address is still the wizard's: the new person lands on its first step, empty.
    await poll(() => page.locator('header.bar').textContent()).toContain('Đỗ Văn Quầy Hai');
    await poll(() => heading().textContent()).toBe('Chọn thủ tục');
    expect(await wizard().locator('.chosen').count()).toBe(0);
    expect(await wizard().getByLabel('Tên hoặc mã thủ tục', { exact: true }).inputValue()).toBe('');
  });

  it('Given every step above, Then the page logged no CSP violation and no script error', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
