/**
 * Domain errors with stable codes. Every code is catalogued in docs/errors.md;
 * tests/errors-catalogue.test.ts fails when a code is missing there.
 */
export interface ErrorDefinition {
  status: number;
  /** English title. */
  title: string;
  /** Vietnamese title (the default UI language). */
  vi?: string;
}

export const errorCatalogue = {
  'request.invalid': { status: 400, title: 'The request is not valid', vi: 'Yêu cầu không hợp lệ' },
  'request.malformed_json': { status: 400, title: 'The request body is not valid JSON', vi: 'Nội dung yêu cầu không phải JSON hợp lệ' },
  'request.too_large': { status: 413, title: 'The request body is too large', vi: 'Nội dung yêu cầu quá lớn' },
  'request.not_found': { status: 404, title: 'No such resource', vi: 'Không tìm thấy' },
  'request.method_not_allowed': { status: 405, title: 'Method not allowed', vi: 'Phương thức không được phép' },
  'auth.required': { status: 401, title: 'Authentication required', vi: 'Cần đăng nhập' },
  'auth.invalid_credentials': { status: 401, title: 'Wrong username or password', vi: 'Sai tên đăng nhập hoặc mật khẩu' },
  'auth.throttled': { status: 429, title: 'Too many failed logins: wait before trying again', vi: 'Đăng nhập sai quá nhiều lần: vui lòng chờ rồi thử lại' },
  'auth.locked': { status: 423, title: 'Account locked after repeated failed logins', vi: 'Tài khoản bị khóa do đăng nhập sai nhiều lần' },
  'auth.disabled': { status: 403, title: 'Account disabled', vi: 'Tài khoản đã bị vô hiệu hóa' },
  'auth.session_expired': { status: 401, title: 'Session expired', vi: 'Phiên làm việc đã hết hạn' },
  'auth.csrf': { status: 403, title: 'Cross-site request refused', vi: 'Yêu cầu từ trang khác bị từ chối' },
  'auth.forbidden': { status: 403, title: 'Permission denied', vi: 'Không có quyền' },
  'auth.forbidden_scope': { status: 403, title: 'Outside your units', vi: 'Ngoài phạm vi đơn vị của bạn' },
  'auth.weak_password': { status: 422, title: 'Password does not meet the policy', vi: 'Mật khẩu không đạt yêu cầu' },
  'auth.token_invalid': { status: 401, title: 'API token invalid, expired or revoked', vi: 'Mã truy cập API không hợp lệ, đã hết hạn hoặc bị thu hồi' },
  'user.not_found': { status: 404, title: 'No such user', vi: 'Không tìm thấy người dùng' },
  'user.exists': { status: 409, title: 'Username already taken', vi: 'Tên đăng nhập đã tồn tại' },
  'unit.not_found': { status: 404, title: 'No such unit', vi: 'Không tìm thấy đơn vị' },
  'unit.exists': { status: 409, title: 'Unit code already taken', vi: 'Mã đơn vị đã tồn tại' },
  'unit.invalid_parent': { status: 422, title: 'Invalid parent unit', vi: 'Đơn vị cấp trên không hợp lệ' },
  'role.unknown': { status: 422, title: 'Unknown role', vi: 'Vai trò không tồn tại' },
  'role.assignment_not_found': { status: 404, title: 'No such role assignment', vi: 'Không tìm thấy phân quyền' },
  'bpmn.malformed': { status: 400, title: 'The BPMN file is not well-formed XML or not BPMN', vi: 'Tệp BPMN không phải XML hợp lệ hoặc không phải BPMN' },
  'bpmn.unsafe_xml': { status: 400, title: 'The BPMN file declares a DOCTYPE or entities', vi: 'Tệp BPMN chứa khai báo DOCTYPE hoặc thực thể (ENTITY)' },
  'bpmn.script_refused': { status: 422, title: 'The diagram contains code the server does not run', vi: 'Sơ đồ chứa mã lệnh mà máy chủ không thực thi' },
  'bpmn.invalid_expression': { status: 422, title: 'An expression is not a plain variable path or allowed FEEL', vi: 'Biểu thức không phải đường dẫn biến đơn giản hoặc FEEL hợp lệ' },
  'bpmn.unknown_topic': { status: 422, title: 'A service task names a topic no plugin handles', vi: 'Tác vụ dịch vụ dùng chủ đề (topic) không có mô-đun nào xử lý' },
  'bpmn.missing_topic': { status: 422, title: 'A service task has no external topic', vi: 'Tác vụ dịch vụ chưa khai báo chủ đề (topic) xử lý' },
  'bpmn.unsupported': { status: 422, title: 'The diagram uses an element the engine does not support', vi: 'Sơ đồ dùng phần tử mà bộ máy quy trình không hỗ trợ' },
  'bpmn.invalid_attribute': { status: 422, title: 'An element has an invalid attribute value', vi: 'Phần tử có giá trị thuộc tính không hợp lệ' },
  'bpmn.unbounded_loop': { status: 422, title: 'Sequence flows form a loop with no wait state', vi: 'Các luồng tạo thành vòng lặp không có bước chờ' },
  'bpmn.no_executable_process': { status: 422, title: 'The file has no process to deploy', vi: 'Tệp không có quy trình nào để triển khai' },
  'process.definition_not_found': { status: 404, title: 'No such process definition', vi: 'Không tìm thấy định nghĩa quy trình' },
  'process.instance_not_found': { status: 404, title: 'No such process instance', vi: 'Không tìm thấy phiên bản quy trình đang chạy' },
  'process.not_running': { status: 409, title: 'The process instance is no longer running', vi: 'Quy trình không còn đang chạy' },
  'process.migration_refused': { status: 422, title: 'The instance cannot move to that version', vi: 'Không thể chuyển quy trình đang chạy sang phiên bản này' },
  'process.service_task_failed': { status: 502, title: "A service task's handler failed: nothing was changed", vi: 'Tác vụ dịch vụ xử lý không thành công: chưa có thay đổi nào được lưu' },
  'process.bpmn_error_uncaught': { status: 422, title: 'A service task reported a business error that no error event of the diagram catches', vi: 'Tác vụ dịch vụ báo lỗi nghiệp vụ mà sơ đồ không có sự kiện bắt lỗi tương ứng' },
  'message.too_deep': { status: 422, title: 'Messages between process instances went too many levels deep in one command', vi: 'Thông điệp giữa các quy trình chuyển tiếp quá nhiều cấp trong một thao tác' },
  'incident.not_found': { status: 404, title: 'No such incident', vi: 'Không tìm thấy sự cố' },
  'incident.not_open': { status: 409, title: 'The incident is already resolved', vi: 'Sự cố đã được giải quyết' },
  'incident.retry_pending': { status: 409, title: 'The incident is already queued for a retry', vi: 'Sự cố đang chờ thử lại' },
  'process.engine_error': { status: 500, title: 'The process engine failed on this instance', vi: 'Bộ máy quy trình gặp lỗi với hồ sơ này' },
  'task.not_found': { status: 404, title: 'No such task', vi: 'Không tìm thấy công việc' },
  'task.not_open': { status: 409, title: 'The task is no longer open', vi: 'Công việc không còn mở' },
  'task.claimed': { status: 409, title: 'The task is claimed by someone else', vi: 'Công việc đã được người khác nhận' },
  'task.not_entitled': { status: 403, title: 'You may not act on this task', vi: 'Bạn không được xử lý công việc này' },
  'conflict.duplicate': { status: 409, title: 'Already exists', vi: 'Đã tồn tại' },
  'conflict.stale': { status: 409, title: 'Changed by someone else meanwhile: reload and retry', vi: 'Dữ liệu đã được người khác sửa: hãy tải lại và thử lại' },
  'plugin.conflict': { status: 500, title: 'Two plugins claim the same name', vi: 'Hai mô-đun mở rộng trùng tên' },
  'plugin.invalid': { status: 500, title: 'Plugin definition is invalid', vi: 'Định nghĩa mô-đun mở rộng không hợp lệ' },
  'plugin.missing_dependency': { status: 500, title: 'A required plugin is missing or of the wrong version', vi: 'Thiếu mô-đun mở rộng cần thiết hoặc sai phiên bản' },
  'internal': { status: 500, title: 'Internal error', vi: 'Lỗi hệ thống' },
  'service.unavailable': { status: 503, title: 'Service unavailable', vi: 'Dịch vụ tạm thời không khả dụng' },
} as const satisfies Record<string, ErrorDefinition>;

export type CoreErrorCode = keyof typeof errorCatalogue;

/** Plugins add their own codes (prefixed with their id) through registerErrorCodes. */
const extraCodes = new Map<string, ErrorDefinition>();

export function registerErrorCodes(codes: Record<string, ErrorDefinition>): void {
  for (const [code, def] of Object.entries(codes)) extraCodes.set(code, def);
}

export function describeError(code: string): ErrorDefinition {
  return (errorCatalogue as Record<string, ErrorDefinition>)[code] ?? extraCodes.get(code) ?? errorCatalogue.internal;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail?: string;
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(code: CoreErrorCode | (string & {}), detail?: string, extra?: Record<string, unknown>, headers?: Record<string, string>) {
    const def = describeError(code);
    super(detail ?? def.title);
    this.name = 'AppError';
    this.code = code;
    this.status = def.status;
    this.detail = detail;
    this.extra = extra;
    this.headers = headers;
  }
}
