import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { date, longDate, number, qrPath, time } from './helpers.ts';
import { DEFAULT_LEGAL_BASIS, FormTemplates } from './registry.ts';
import { FORM_NUMBERS } from './view-models.ts';
import { applicant, form01, form02, form03, form04, form05, form06, form07 } from './fixtures/view-models.ts';

const templates = FormTemplates.shipped();

/** The text a reader sees: tags dropped, handlebars' entities decoded, whitespace collapsed. */
function text(html: string): string {
  return decode(html.replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}
function decode(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', nbsp: '\u00a0' };
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&(amp|lt|gt|quot|nbsp);/g, (_, n: string) => named[n]);
}

/** The AppError a call throws. */
function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('Form helpers', () => {
  it('print dates and times in Vietnam time, numbers with Vietnamese grouping', () => {
    // 16:40 on 6 March in Vietnam is 09:40 UTC; 23:30 UTC on 31 Dec is already 1 Jan in Vietnam
    expect(date('2026-03-06T09:40:00.000Z')).toBe('06/03/2026');
    expect(time('2026-03-06T09:40:00.000Z')).toBe('16:40');
    expect(date('2025-12-31T23:30:00.000Z')).toBe('01/01/2026');
    expect(time('2025-12-31T23:30:00.000Z')).toBe('06:30');
    expect(longDate('2026-03-06T09:40:00.000Z')).toBe('ngày 06 tháng 03 năm 2026');
    expect(date(null)).toBe('');
    expect(number(1250000)).toBe('1.250.000');
    expect(number(0.5)).toBe('0,5');
    expect(number(999)).toBe('999');
    expect(() => date('not a date')).toThrow(/Not a date/);
  });

  it('draw the QR code module for module as the qrcode library encodes the text', () => {
    const url = 'https://motcua.example.vn/tra-cuu?code=H56-260306-0001';
    const { size, d } = qrPath(url);
    const drawn = new Set<string>();
    for (const m of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
      for (let i = 0; i < Number(m[3]); i++) drawn.add(`${Number(m[1]) + i},${m[2]}`);
    }
    const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
    expect(size).toBe(modules.size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) expect(drawn.has(`${x},${y}`)).toBe(modules.get(y, x) === 1);
  });
});

describe('Shipped templates of Circular 03/2025', () => {
  it('cover forms 01–07 under the default legal basis', () => {
    expect(DEFAULT_LEGAL_BASIS).toBe('03/2025/TT-VPCP');
    expect(
      templates
        .list()
        .map((t) => [t.form, t.legalBasis, t.origin])
        .sort(),
    ).toEqual(FORM_NUMBERS.map((f) => [f, '03/2025/TT-VPCP', 'shipped']));
  });

  it('Given a received dossier, Then form 01 shows the heading, code, applicant, procedure, components, statutory time, appointment in Vietnam time, fees, the QR to the lookup and the signatures', () => {
    const html = templates.render('01', form01);
    const t = text(html);
    expect(html).toMatch(/^<!doctype html>\n<html lang="vi">/);
    expect(html).toContain('<link rel="stylesheet" href="/assets/forms.css">');
    expect(html).not.toMatch(/style=|<style/);
    expect(t).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc');
    expect(t).toContain('Bắc Ninh, ngày 06 tháng 03 năm 2026');
    expect(t).toContain('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    expect(t).toContain('Mã hồ sơ: 000.00.06.H56-260306-0361');
    expect(t).toContain('Tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung');
    expect(t).toContain(`Địa chỉ: ${applicant.address}`);
    expect(t).toContain('Chủ hồ sơ: Trần Văn Bình');
    expect(t).toContain('Đăng ký khai sinh (mã thủ tục 1.001193); trường hợp: Đăng ký khai sinh đúng hạn');
    expect(t).toContain('1 Tờ khai đăng ký khai sinh theo mẫu 1 0 0');
    expect(t).toContain('2 Giấy chứng sinh 1 0 0 Đã số hóa');
    expect(t).toContain('3 Giấy chứng nhận kết hôn của cha mẹ 0 1 1');
    expect(t).toContain('Thời gian giải quyết hồ sơ theo quy định: 3 ngày làm việc');
    expect(t).toContain('Thời gian nhận hồ sơ: 16:40 ngày 06/03/2026');
    expect(t).toContain('Thời gian trả kết quả giải quyết hồ sơ: 16:40 ngày 11/03/2026');
    expect(t).toContain('Phí, lệ phí: 1.250.000 đồng, hình thức nộp: Tiền mặt; đã nộp 0 đồng');
    expect(t).toContain(
      'NGƯỜI NỘP HỒ SƠ (Ký và ghi rõ họ tên) Nguyễn Thị Hồng Nhung NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Trần Thị Tiếp Nhận',
    );
    // The QR: an inline SVG labelled with, and captioned by, the lookup address
    const svg = /<svg class="qr"[^>]*aria-label="([^"]+)"[^>]*>.*?<\/svg>/s.exec(html);
    expect(svg).not.toBeNull();
    expect(decode(svg![1])).toBe(`Mã QR: ${form01.lookupUrl}`);
    expect(svg![0]).toContain(`<path fill="#000" d="${qrPath(form01.lookupUrl).d}"/>`);
    expect(t).toContain(`Tra cứu hồ sơ: ${form01.lookupUrl}`);
  });

  it('Given a supplement request, Then form 02 lists every missing item, the reason and the officer to contact', () => {
    const t = text(templates.render('02', form02));
    expect(t).toContain('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    expect(t).toContain('Mã hồ sơ: 000.00.06.H56-260306-0362');
    expect(t).toContain('Hồ sơ của: Nguyễn Thị Hồng Nhung');
    expect(t).toContain('1 Giấy chứng sinh');
    expect(t).toContain('2 Tờ khai chưa có chữ ký của người đi khai sinh');
    expect(t).toContain('Lý do: Hồ sơ chưa đủ thành phần theo quy định');
    expect(t).toContain('liên hệ với Trần Thị Tiếp Nhận, Quầy tiếp nhận và trả kết quả số 1 để được hướng dẫn');
    expect(t).toContain('NGƯỜI HƯỚNG DẪN');
  });

  it('Given a refusal, Then form 03 states each reason', () => {
    const t = text(templates.render('03', form03));
    expect(t).toContain('PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ');
    expect(t).toContain('tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung');
    expect(t).toContain(
      'không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau: Người yêu cầu không thuộc đối tượng được đăng ký Việc khai sinh đã được đăng ký tại cơ quan khác',
    );
    expect(t).toContain('NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Trần Thị Tiếp Nhận');
  });

  it('Given an overdue dossier, Then form 04 apologises with the late unit, the cause and the new appointment, signed by the head', () => {
    const t = text(templates.render('04', form04));
    expect(t).toContain('PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ');
    expect(t).toContain('Kính gửi: Nguyễn Thị Hồng Nhung');
    expect(t).toContain('Ngày 06/03/2026');
    expect(t).toContain('mã hồ sơ 000.00.06.H56-260306-0361');
    expect(t).toContain('Thời gian hẹn trả kết quả: 16:40 ngày 11/03/2026');
    expect(t).toContain('Ủy ban nhân dân xã An Bình chưa trả kết quả');
    expect(t).toContain('Lý do: Cần xác minh thông tin nơi sinh của trẻ.');
    expect(t).toContain('hẹn trả kết quả vào 09:00 ngày 13/03/2026');
    expect(t).toContain('CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ (Ký, ghi rõ họ tên và đóng dấu) Lê Văn Trưởng');
  });

  it('Given a stopped dossier, Then form 05 states the reason, signed', () => {
    const t = text(templates.render('05', form05));
    expect(t).toContain('THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ');
    expect(t).toContain('Mã hồ sơ: 000.00.06.H56-260306-0361');
    expect(t).toContain('Người nộp hồ sơ không bổ sung hồ sơ trong thời hạn 7 ngày làm việc');
    expect(t).toContain('Căn cứ: Khoản 3 Điều 18 Nghị định 118/2025/NĐ-CP.');
    expect(t).toContain('GIÁM ĐỐC (Ký, ghi rõ họ tên và đóng dấu) Phạm Thị Giám Đốc');
  });

  it('Given hops, Then form 06 has one row per hop with units, hand-over time, giver, receiver, result and its class in words', () => {
    const html = templates.render('06', form06);
    const t = text(html);
    expect(t).toContain('PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ');
    expect(t).toContain(
      '1 Giao: Quầy tiếp nhận số 1 Nhận: Công an xã An Bình 08:15 ngày 09/03/2026 Trần Thị Tiếp Nhận Đỗ Văn Công An Đã đăng ký thường trú Trước hạn',
    );
    expect(t).toContain(
      '2 Giao: Công an xã An Bình Nhận: Bảo hiểm xã hội tỉnh 15:30 ngày 10/03/2026 Đỗ Văn Công An Vũ Thị Bảo Hiểm Quá hạn Chậm do hệ thống',
    );
    expect(html).toContain('<tr class="late">');
  });

  it('Given a unit and a period, Then form 07 lists a row per dossier, on a landscape page', () => {
    const html = templates.render('07', form07);
    const t = text(html);
    expect(html).toContain('<main class="sheet landscape">');
    expect(t).toContain('SỔ THEO DÕI HỒ SƠ');
    expect(t).toContain('Quầy tiếp nhận và trả kết quả số 1: từ ngày 01/03/2026 đến ngày 31/03/2026');
    expect(t).toContain('1 000.00.06.H56-260306-0361 Đăng ký khai sinh 1 Nguyễn Thị Hồng Nhung');
    expect(t).toContain('16:40 06/03/2026 Trần Thị Tiếp Nhận 16:40 11/03/2026 Công an xã An Bình 09/03/2026');
  });

  it('Given an applicant named <script>alert(1)</script>, Then every form prints the name escaped', () => {
    const evil = '<script>alert(1)</script>';
    const person = { ...applicant, name: evil, address: '"><img src=x onerror=alert(2)>' };
    const outputs = [
      templates.render('01', { ...form01, applicant: person }),
      templates.render('02', { ...form02, applicant: person }),
      templates.render('03', { ...form03, applicant: person }),
      templates.render('04', { ...form04, addressee: person }),
      templates.render('05', { ...form05, applicant: person }),
      templates.render('06', { ...form06, applicant: person }),
      templates.render('07', { ...form07, rows: form07.rows.map((r) => ({ ...r, owner: evil })) }),
    ];
    for (const html of outputs) {
      expect(html).not.toContain('<script');
      expect(html).not.toContain('<img');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });

  it('Given a view-model missing a field, Then rendering fails instead of printing a blank', () => {
    const { applicant: _a, ...rest } = form03;
    expect(() => templates.render('03', rest as never)).toThrow(/"name" not defined/);
  });
});

describe('Templates from outside the code (a procedure pack)', () => {
  const fresh = () => FormTemplates.shipped();
  const register = (t: FormTemplates, text: string) => t.register('03', 'QĐ-99/2026', text, { version: '2', origin: 'pack:bac-ninh' });

  it('Given a plain template with escaped fields, conditions, loops and our helpers, Then it is registered under its legal basis and renders', () => {
    const t = fresh();
    const info = register(
      t,
      '<h1>{{dossierCode}}</h1>{{#if reasons}}<ol>{{#each reasons}}<li>{{no}}. {{text}}</li>{{/each}}</ol>{{/if}}<p>{{header.place}}, {{date header.issuedAt}} {{number 1500}}</p>',
    );
    expect(info).toEqual({ form: '03', legalBasis: 'QĐ-99/2026', version: '2', origin: 'pack:bac-ninh' });
    const html = t.render('03', { ...form03, applicant: { ...applicant, name: '<b>x</b>' } }, 'QĐ-99/2026');
    expect(html).toBe(
      '<h1>000.00.06.H56-260306-0363</h1><ol><li>1. Người yêu cầu không thuộc đối tượng được đăng ký</li><li>2. Việc khai sinh đã được đăng ký tại cơ quan khác</li></ol><p>Bắc Ninh, 06/03/2026 1.500</p>',
    );
    // The shipped template of the default legal basis is still there
    expect(t.lookup('03')).toMatchObject({ origin: 'shipped', legalBasis: DEFAULT_LEGAL_BASIS });
  });

  it.each([
    ['{{{x}}}', /unescaped output/],
    ['<p>{{& dossierCode}}</p>', /unescaped output/],
    ['{{> heading}}', /partials .* not allowed/],
    ['{{#> heading}}x{{/heading}}', /partials .* not allowed/],
    ['{{#with constructor}}{{name}}{{/with}}', /reaches "constructor"/],
    ['{{applicant.__proto__.polluted}}', /reaches "__proto__"/],
    ['{{#each reasons}}{{this.constructor.name}}{{/each}}', /reaches "constructor"/],
    ['{{lookup applicant "constructor"}}', /"lookup" is not a helper/],
    ['{{log dossierCode}}', /"log" is not a helper/],
    ['{{#if (lookup this "constructor")}}x{{/if}}', /"lookup" is not a helper/],
    ['{{*decorator}}', /decorator is not allowed/],
    ['{{#*inline "p"}}x{{/inline}}', /decorator is not allowed/],
    ['{{shout dossierCode}}', /"shout" is not a helper/],
    ['{{#if}}unclosed', /not a valid handlebars template/],
  ])('Given %s, Then it is refused with a clear error', (source, message) => {
    const t = fresh();
    const e = refusal(() => register(t, source));
    expect(e.code).toBe('dossier.form_template_unsafe');
    expect(e.message).toMatch(message);
    expect(e.message).toContain('pack:bac-ninh');
    // Nothing was registered
    expect(() => t.lookup('03', 'QĐ-99/2026')).toThrow(/No template of form 03/);
  });

  it('Given a refusal, Then the error names the line and column of the construct', () => {
    const e = refusal(() => register(fresh(), '<p>ok</p>\n<p>{{{applicant.name}}}</p>'));
    expect(e.message).toMatch(/line 2, column 4/);
  });

  it('Given a template that would reach a prototype at render time, Then nothing of the prototype is printed', () => {
    // `toString` is refused by name; a field that does not exist is a strict-mode error, not a blank
    expect(refusal(() => register(fresh(), '{{applicant.toString}}')).message).toMatch(/reaches "toString"/);
    const t = fresh();
    register(t, '{{applicant.nickname}}');
    expect(() => t.render('03', form03, 'QĐ-99/2026')).toThrow(/"nickname" not defined/);
  });

  it('Given a form number or legal basis that is not one, Then registration is refused', () => {
    expect(refusal(() => fresh().register('08' as never, 'X', 'x', { version: '1', origin: 'p' })).message).toMatch(/no form 08/);
    expect(refusal(() => fresh().register('01', '<b>', 'x', { version: '1', origin: 'p' })).message).toMatch(/not a document number/);
  });
});
