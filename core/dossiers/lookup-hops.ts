import { DossierHop } from './hop-entities.ts';
import { localTime, type TimelineSource } from './lookup.ts';

/**
 * The hops of a dossier as public timeline lines (lookup.ts): where it went and when, by unit
 * names only. Who gave or received it, the step's name, its due time and class stay inside.
 * A hop still waiting for its next step says nothing yet; a receipt into the desk itself adds
 * nothing to "Hồ sơ đã được tiếp nhận".
 */
export const hopLines: TimelineSource = async (em, dossier) => {
  const rows = await em.find(DossierHop, { dossierId: dossier.id }, { orderBy: { seq: 'asc' }, disableIdentityMap: true });
  const lines = [];
  for (const h of rows) {
    const text = hopText(h);
    if (text) lines.push({ at: new Date(h.at).toISOString(), text: `${localTime(h.at)}: ${text}` });
  }
  return lines;
};

function hopText(h: DossierHop): string | null {
  if (!h.toUnitId) return null;
  const to = h.toUnitName ?? '';
  if (h.kind === 'return') return `Hồ sơ được chuyển về ${to} để trả kết quả.`;
  if (h.kind === 'send_back') return `Hồ sơ được trả lại ${to} để xử lý lại.`;
  if (h.fromUnitId !== h.toUnitId) return `Hồ sơ được chuyển từ ${h.fromUnitName} đến ${to} để xử lý.`;
  if (h.kind === 'receipt') return null;
  return `Hồ sơ được chuyển sang bước xử lý tiếp theo tại ${to}.`;
}
