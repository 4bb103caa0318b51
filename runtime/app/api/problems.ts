import { msg } from '@lit/localize';
import { fill } from '../i18n/fill.ts';
import type { ApiError } from './client.ts';

/** A sentence a clerk can act on, in the chosen language, for a problem the API answered. */
export function problemMessage(e: ApiError): string {
  switch (e.code) {
    case 'auth.invalid_credentials':
      return msg('Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra lại (chú ý chữ hoa, chữ thường) rồi thử lại.', {
        id: 'problem.invalid_credentials',
      });
    case 'auth.throttled':
      return fill(msg('Đã đăng nhập sai nhiều lần liên tiếp. Vui lòng chờ {seconds} giây rồi thử lại.', { id: 'problem.throttled' }), {
        seconds: e.retryAfter ?? 60,
      });
    case 'auth.locked':
      return msg('Tài khoản đã bị khóa vì đăng nhập sai quá nhiều lần. Hãy liên hệ quản trị viên của đơn vị để mở khóa.', {
        id: 'problem.locked',
      });
    case 'auth.disabled':
      return msg('Tài khoản này đã bị vô hiệu hóa. Hãy liên hệ quản trị viên của đơn vị.', { id: 'problem.disabled' });
    case 'network':
      return msg('Không kết nối được với máy chủ. Hãy kiểm tra mạng rồi thử lại.', { id: 'problem.network' });
    default:
      return fill(msg('Máy chủ báo lỗi: {title}', { id: 'problem.other' }), { title: e.title });
  }
}
