import { msg } from '@lit/localize';

/** The demo and core roles by name; a role a pack added shows as its name. */
export function roleName(role: string): string {
  switch (role) {
    case 'admin':
      return msg('Quản trị hệ thống', { id: 'role.admin' });
    case 'analyst':
      return msg('Thiết kế quy trình', { id: 'role.analyst' });
    case 'receptionist':
      return msg('Tiếp nhận hồ sơ', { id: 'role.receptionist' });
    case 'specialist':
      return msg('Chuyên viên xử lý', { id: 'role.specialist' });
    case 'leader':
      return msg('Lãnh đạo', { id: 'role.leader' });
    case 'clerical':
      return msg('Văn thư', { id: 'role.clerical' });
    case 'auditor':
      return msg('Kiểm tra, giám sát', { id: 'role.auditor' });
    default:
      return role;
  }
}
