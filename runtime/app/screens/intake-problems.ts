import { msg } from '@lit/localize';
import { ApiError } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import { fill } from '../i18n/fill.ts';
import type { Step } from './intake-model.ts';

/** One thing to fix: the sentence, and the step and field it is about (the error summary links there). */
export interface Problem {
  step: Step;
  field: string;
  text: string;
}

const list = (v: unknown) => (Array.isArray(v) ? v.map(String).join('; ') : '');

/** The API's answer to POST /api/dossiers as sentences saying what to do, each pointing at the field to change. */
export function receiptProblems(e: unknown): Problem[] {
  if (!(e instanceof ApiError)) return [{ step: 'check', field: 'decision', text: String(e) }];
  switch (e.code) {
    case 'dossier.incomplete':
      return [
        {
          step: 'check',
          field: 'decision',
          text: fill(
            msg('Chưa thể tiếp nhận vì còn thiếu: {missing}. Hãy chọn «Yêu cầu bổ sung hồ sơ», hoặc đánh dấu giấy tờ đã nhận.', {
              id: 'intake.problem.incomplete',
            }),
            { missing: list(e.extra.missing) },
          ),
        },
      ];
    case 'dossier.not_competent':
      return [
        {
          step: 'procedure',
          field: 'q',
          text: fill(
            msg('Bộ phận một cửa này không tiếp nhận thủ tục này. Hãy hướng dẫn người nộp đến cơ quan tiếp nhận ({agencies}).', {
              id: 'intake.problem.not_competent',
            }),
            { agencies: list(e.extra.agencies) },
          ),
        },
      ];
    case 'dossier.procedure_unavailable':
      return [
        {
          step: 'procedure',
          field: 'q',
          text: msg('Thủ tục hoặc trường hợp này hiện không còn áp dụng. Hãy tìm và chọn lại thủ tục.', {
            id: 'intake.problem.procedure_unavailable',
          }),
        },
      ];
    case 'dossier.channel_unavailable':
      return [
        {
          step: 'case',
          field: 'channel',
          text: msg('Trường hợp này không nhận hồ sơ theo hình thức đã chọn. Hãy chọn hình thức nộp khác.', {
            id: 'intake.problem.channel_unavailable',
          }),
        },
      ];
    case 'dossier.competent_unit_required':
    case 'dossier.not_competent_unit':
      return [
        {
          step: 'case',
          field: 'competentUnitId',
          text: msg('Thủ tục này có nhiều cơ quan giải quyết: hãy chọn cơ quan sẽ giải quyết hồ sơ này.', {
            id: 'intake.problem.competent_unit',
          }),
        },
      ];
    case 'dossier.invalid_components':
      return [
        {
          step: 'case',
          field: 'case',
          text: msg('Danh sách giấy tờ không khớp với trường hợp đã chọn. Hãy chọn lại trường hợp rồi đánh dấu lại giấy tờ.', {
            id: 'intake.problem.invalid_components',
          }),
        },
      ];
    case 'dossier.not_a_desk':
    case 'auth.forbidden':
    case 'auth.forbidden_scope':
      return [
        {
          step: 'check',
          field: 'decision',
          text: msg(
            'Tài khoản của bạn không được tiếp nhận hồ sơ ở đây. Hãy đề nghị quản trị viên giao vai trò tiếp nhận tại bộ phận một cửa.',
            {
              id: 'intake.problem.not_a_desk',
            },
          ),
        },
      ];
    case 'request.invalid':
      return invalid(e);
    default:
      return [{ step: 'check', field: 'decision', text: problemMessage(e) }];
  }
}

/** request.invalid names the fields (`issues[].path`): each becomes a sentence under that field. */
function invalid(e: ApiError): Problem[] {
  const issues = Array.isArray(e.extra.issues) ? (e.extra.issues as { path?: unknown[] }[]) : [];
  const found = issues.map((i): Problem => {
    const path = (i.path ?? []).map(String);
    const field = path[0] === 'applicant' ? path[1] : path[0];
    switch (field) {
      case 'idNumber':
        return {
          step: 'applicant',
          field,
          text: msg('Số định danh không hợp lệ: hãy nhập lại theo giấy tờ tùy thân.', { id: 'intake.problem.id_number' }),
        };
      case 'phone':
        return {
          step: 'applicant',
          field,
          text: msg('Số điện thoại không hợp lệ: chỉ gồm chữ số, ví dụ 0912345678.', { id: 'intake.problem.phone' }),
        };
      case 'email':
        return {
          step: 'applicant',
          field,
          text: msg('Thư điện tử không hợp lệ: hãy nhập dạng ten@vi-du.vn.', { id: 'intake.problem.email' }),
        };
      case 'birthDate':
        return {
          step: 'applicant',
          field,
          text: msg('Ngày sinh không hợp lệ: hãy nhập theo dạng ngày/tháng/năm.', { id: 'intake.problem.birth_date' }),
        };
      case 'name':
        return { step: 'applicant', field, text: msg('Nhập họ và tên người nộp.', { id: 'intake.need_name' }) };
      case 'reasons':
        return { step: 'check', field: 'reasons', text: msg('Nhập lý do từ chối.', { id: 'intake.need_reasons' }) };
      default:
        return { step: 'check', field: 'decision', text: problemMessage(e) };
    }
  });
  if (found.length) return found;
  // Without issues: the service's own refusals (a refusal without reasons, a supplement with nothing missing).
  return [{ step: 'check', field: 'decision', text: problemMessage(e) }];
}
