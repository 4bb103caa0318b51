import { msg } from '@lit/localize';
import { fill } from '../i18n/fill.ts';
import type { Applicant, Draft, Step } from './intake-model.ts';

/** The intake wizard's words for its steps, forms, channels, applicants and payment modes (intake-wizard.ts). */

export function stepTitle(step: Step): string {
  switch (step) {
    case 'procedure':
      return msg('Chọn thủ tục', { id: 'intake.step.procedure' });
    case 'case':
      return msg('Trường hợp và hình thức nộp', { id: 'intake.step.case' });
    case 'checklist':
      return msg('Giấy tờ trong hồ sơ', { id: 'intake.step.checklist' });
    case 'applicant':
      return msg('Người nộp hồ sơ', { id: 'intake.step.applicant' });
    case 'fees':
      return msg('Phí, lệ phí', { id: 'intake.step.fees' });
    case 'check':
      return msg('Kiểm tra và quyết định', { id: 'intake.step.check' });
    case 'done':
      return msg('Kết quả', { id: 'intake.step.done' });
  }
}

export function formName(form: '01' | '02' | '03'): string {
  switch (form) {
    case '01':
      return msg('Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả', { id: 'intake.form01' });
    case '02':
      return msg('Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ', { id: 'intake.form02' });
    case '03':
      return msg('Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ', { id: 'intake.form03' });
  }
}

export function channelLabel(channel: 1 | 3): string {
  return channel === 1
    ? msg('Trực tiếp tại bộ phận một cửa', { id: 'intake.channel.in_person' })
    : msg('Qua dịch vụ bưu chính công ích', { id: 'intake.channel.postal' });
}

export function timeLimit(t: { value: number; unit: string }): string {
  const n = String(t.value).replace('.', ',');
  if (t.unit === 'working_hours') return fill(msg('{n} giờ làm việc', { id: 'intake.limit.hours' }), { n });
  if (t.unit === 'calendar_days') return fill(msg('{n} ngày', { id: 'intake.limit.days' }), { n });
  return fill(msg('{n} ngày làm việc', { id: 'intake.limit.working_days' }), { n });
}

export function kindLabel(kind: Applicant['kind']): string {
  if (kind === 'organisation') return msg('Tổ chức', { id: 'intake.kind.organisation' });
  if (kind === 'enterprise') return msg('Doanh nghiệp', { id: 'intake.kind.enterprise' });
  return msg('Công dân', { id: 'intake.kind.citizen' });
}

export function sexLabel(sex: Applicant['sex']): string {
  if (sex === 'female') return msg('Nữ', { id: 'intake.sex.female' });
  if (sex === 'male') return msg('Nam', { id: 'intake.sex.male' });
  if (sex === 'other') return msg('Khác', { id: 'intake.sex.other' });
  return '';
}

export function modeLabel(mode: Draft['mode']): string {
  switch (mode) {
    case 'cash':
      return msg('Tiền mặt', { id: 'intake.mode.cash' });
    case 'transfer':
      return msg('Chuyển khoản', { id: 'intake.mode.transfer' });
    case 'online':
      return msg('Thanh toán trực tuyến', { id: 'intake.mode.online' });
    case 'postal':
      return msg('Qua bưu điện', { id: 'intake.mode.postal' });
  }
}
