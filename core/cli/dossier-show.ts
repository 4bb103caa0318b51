import { channelNames, statusNames } from '../dossiers/model.ts';
import type { DossierView } from '../dossiers/service.ts';

/** `motcua dossier show <code>`: the dossier as plain Vietnamese text, Vietnam time. */

const VN = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh',
  hour: '2-digit',
  minute: '2-digit',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hourCycle: 'h23',
});
/** "16:40 06/03/2026" (Vietnam time), or a dash. */
export function vnTime(iso: string | null): string {
  if (!iso) return '—';
  const parts = Object.fromEntries(VN.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.hour}:${parts.minute} ${parts.day}/${parts.month}/${parts.year}`;
}

const channels: Record<(typeof channelNames)[keyof typeof channelNames], string> = {
  in_person: 'trực tiếp',
  online: 'trực tuyến',
  postal: 'qua bưu chính',
};
const kinds: Record<string, string> = { citizen: 'công dân', organisation: 'tổ chức', enterprise: 'doanh nghiệp' };
const money = (n: number) => `${n.toLocaleString('vi-VN')} đồng`;

export function showDossier(d: DossierView): string[] {
  const a = d.applicant;
  const lines = [
    `Hồ sơ ${d.code}`,
    `Trạng thái: ${d.status} — ${d.statusName}`,
    `Thủ tục: ${d.procedure.code} — ${d.procedure.name} (phiên bản ${d.procedure.version}, trường hợp ${d.procedure.caseKey})`,
    `Kênh nộp: ${channels[channelNames[d.channel as keyof typeof channelNames]] ?? d.channel}`,
    `Người nộp: ${a.name} (${kinds[a.kind] ?? a.kind})${a.idNumber ? `, số định danh ${a.idNumber}` : ''}${a.phone ? `, điện thoại ${a.phone}` : ''}`,
  ];
  if (a.address) lines.push(`Địa chỉ: ${a.address}`);
  if (d.owner) lines.push(`Chủ hồ sơ: ${d.owner.name}${d.owner.idNumber ? `, số định danh ${d.owner.idNumber}` : ''}`);
  lines.push(
    `Cơ quan tiếp nhận: ${d.agencyCode}`,
    `Nộp trực tuyến lúc: ${vnTime(d.submittedAt)}`,
    `Tiếp nhận lúc: ${vnTime(d.receivedAt)}${d.receivedBy ? `, bởi ${d.receivedBy.name}` : ''}`,
    `Hẹn trả kết quả: ${vnTime(d.appointmentAt)}`,
    `Phí, lệ phí: phải nộp ${money(d.fees.due)}, đã nộp ${money(d.fees.paid)}`,
  );
  if (d.refusalReasons.length) lines.push(`Lý do từ chối: ${d.refusalReasons.join('; ')}`);
  if (d.supplementMissing.length) lines.push(`Cần bổ sung: ${d.supplementMissing.join('; ')}`);
  if (d.note) lines.push(`Ghi chú: ${d.note}`);
  lines.push('', 'Thành phần hồ sơ:');
  for (const c of d.components) {
    const counts = [
      c.originals && `${c.originals} bản chính`,
      c.certifiedCopies && `${c.certifiedCopies} bản sao chứng thực`,
      c.copies && `${c.copies} bản sao`,
    ].filter(Boolean);
    const state = c.received ? `đã nhận${counts.length ? ` (${counts.join(', ')})` : ''}${c.digitised ? ', đã số hóa' : ''}` : 'chưa nhận';
    lines.push(`  ${c.document + 1}. ${c.name}${c.optional ? ' (không bắt buộc)' : ''}: ${state}`);
  }
  if (d.attachments.length) lines.push(`Tệp đính kèm: ${d.attachments.length}`);
  lines.push('', 'Quá trình xử lý:');
  for (const h of d.history) {
    const from = h.from === null ? '' : `${statusNames[h.from]} → `;
    lines.push(`  ${vnTime(h.at)}  ${from}${statusNames[h.to]} (${h.by.name})${h.reason ? `: ${h.reason}` : ''}`);
  }
  return lines;
}
