import { describe, expect, it } from 'vitest';
import { contentDisposition, sanitiseFileName, sniffType } from './attachment-files.ts';
import { hostile, jpeg, pdf, png, tiff } from './fixtures/scans.ts';

describe('attachment files', () => {
  it('reads the type from the bytes: the scans pass, anything else is refused whatever its name', async () => {
    expect(await sniffType(pdf())).toBe('application/pdf');
    expect(await sniffType(jpeg())).toBe('image/jpeg');
    expect(await sniffType(png())).toBe('image/png');
    expect(await sniffType(tiff())).toBe('image/tiff');
    for (const make of Object.values(hostile)) await expect(sniffType(make())).rejects.toMatchObject({ code: 'dossier.attachment_type' });
    await expect(sniffType(Buffer.alloc(0))).rejects.toMatchObject({ code: 'dossier.attachment_empty' });
  });

  it('keeps a name safe to store and show', () => {
    expect(sanitiseFileName('C:\\Users\\an\\Desktop\\Đơn.pdf')).toBe('Đơn.pdf');
    expect(sanitiseFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitiseFileName('..hidden.pdf')).toBe('hidden.pdf');
    expect(sanitiseFileName('hoso\u202efdp.exe')).toBe('hosofdp.exe');
    expect(sanitiseFileName('a\u0000b\r\nc.pdf')).toBe('abc.pdf');
    expect(sanitiseFileName('  nhiều    khoảng   trắng.pdf ')).toBe('nhiều khoảng trắng.pdf');
    expect(sanitiseFileName('Ho\u0323\u0302 ti\u0323ch.pdf')).toBe('Hộ tịch.pdf');
    expect(sanitiseFileName('\ud800x.pdf')).toBe('\ufffdx.pdf');
    expect(() => sanitiseFileName('..')).toThrow(expect.objectContaining({ code: 'request.invalid' }));
    expect(() => sanitiseFileName('dir/')).toThrow(expect.objectContaining({ code: 'request.invalid' }));
  });

  it('sends the name back as an attachment: UTF-8 in filename*, a quoted ASCII stand-in nothing can break out of', () => {
    expect(contentDisposition('Giấy khai sinh (bản sao).pdf')).toBe(
      `attachment; filename="Giay khai sinh (ban sao).pdf"; filename*=UTF-8''Gi%E1%BA%A5y%20khai%20sinh%20%28b%E1%BA%A3n%20sao%29.pdf`,
    );
    expect(contentDisposition('a"; filename=evil.html\\%.pdf')).toBe(
      `attachment; filename="a_; filename=evil.html__.pdf"; filename*=UTF-8''a%22%3B%20filename%3Devil.html%5C%25.pdf`,
    );
    expect(contentDisposition('Đường.pdf')).toContain('filename="Duong.pdf"');
  });
});
