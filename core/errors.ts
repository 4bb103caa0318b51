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
