import type { EntityManager } from '@mikro-orm/knex';
import type { Ports } from './modules/ports.ts';
import { User } from './auth/entities.ts';
import { DEMO_PASSWORD, hashPassword } from './auth/passwords.ts';
import { randomSecret } from './auth/tokens.ts';
import { Unit } from './org/entities.ts';
import { createUnit } from './org/units-service.ts';
import { createUser, grantRole } from './org/users-service.ts';
import type { Acting } from './org/actor.ts';

const system: Acting = { actor: { id: null, name: 'system' }, requestId: null };

export { DEMO_PASSWORD } from './auth/passwords.ts';

/**
 * The demo province: a provincial service centre with two desks, the agencies the shipped
 * procedures (procedures/base, mapped by procedures/demo-mapping.json) send work to, and two
 * communes. One account per role each unit's steps need. Demo-only accounts, password "demo".
 */
export const demoAccounts = [
  { username: 'admin', displayName: 'Quản trị viên (demo)', role: 'admin', unit: 'DEMO', sex: 'male' },
  { username: 'analyst', displayName: 'Nguyễn Thị Phân Tích (demo)', role: 'analyst', unit: 'DEMO', sex: 'female' },
  { username: 'clerk', displayName: 'Trần Thị Tiếp Nhận (demo)', role: 'receptionist', unit: 'DEMO.TTPVHCC.Q1', sex: 'female' },
  { username: 'quay2.tiepnhan', displayName: 'Đỗ Văn Quầy Hai (demo)', role: 'receptionist', unit: 'DEMO.TTPVHCC.Q2', sex: 'male' },
  { username: 'specialist', displayName: 'Lê Văn Chuyên Viên (demo)', role: 'specialist', unit: 'DEMO.STP', sex: 'male' },
  { username: 'leader', displayName: 'Phạm Thị Lãnh Đạo (demo)', role: 'leader', unit: 'DEMO.STP', sex: 'female' },
  { username: 'xa.chuyenvien', displayName: 'Vũ Thị Hộ Tịch (demo)', role: 'specialist', unit: 'DEMO.XA.AN-BINH', sex: 'female' },
  { username: 'xa.lanhdao', displayName: 'Bùi Văn Chủ Tịch (demo)', role: 'leader', unit: 'DEMO.XA.AN-BINH', sex: 'male' },
  { username: 'xa.vanthu', displayName: 'Ngô Thị Văn Thư (demo)', role: 'clerical', unit: 'DEMO.XA.AN-BINH', sex: 'female' },
  { username: 'congan.chuyenvien', displayName: 'Đặng Văn Cư Trú (demo)', role: 'specialist', unit: 'DEMO.CA.AN-BINH', sex: 'male' },
  { username: 'congan.lanhdao', displayName: 'Lý Văn Trưởng Công An (demo)', role: 'leader', unit: 'DEMO.CA.AN-BINH', sex: 'male' },
  { username: 'bhxh.chuyenvien', displayName: 'Trịnh Thị Bảo Hiểm (demo)', role: 'specialist', unit: 'DEMO.BHXH', sex: 'female' },
  { username: 'bhxh.lanhdao', displayName: 'Mai Văn Giám Đốc (demo)', role: 'leader', unit: 'DEMO.BHXH', sex: 'male' },
  { username: 'vpdk.chuyenvien', displayName: 'Hồ Thị Địa Chính (demo)', role: 'specialist', unit: 'DEMO.VPDKDD', sex: 'female' },
  { username: 'vpdk.lanhdao', displayName: 'Cao Văn Đất Đai (demo)', role: 'leader', unit: 'DEMO.VPDKDD', sex: 'male' },
  { username: 'vpdk.vanthu', displayName: 'Tạ Thị Đóng Dấu (demo)', role: 'clerical', unit: 'DEMO.VPDKDD', sex: 'female' },
  { username: 'thue.chuyenvien', displayName: 'Dương Văn Thuế (demo)', role: 'specialist', unit: 'DEMO.THUE', sex: 'male' },
  { username: 'auditor', displayName: 'Hoàng Văn Thanh Tra (demo)', role: 'auditor', unit: 'DEMO', sex: 'male' },
] as const;

export const demoUnits = [
  { code: 'DEMO', name: 'Tỉnh Demo (dữ liệu mẫu)', level: 'province', parent: null },
  { code: 'DEMO.TTPVHCC', name: 'Trung tâm Phục vụ hành chính công tỉnh', level: 'department', parent: 'DEMO' },
  { code: 'DEMO.TTPVHCC.Q1', name: 'Quầy tiếp nhận và trả kết quả số 1', level: 'desk', parent: 'DEMO.TTPVHCC' },
  { code: 'DEMO.TTPVHCC.Q2', name: 'Quầy tiếp nhận và trả kết quả số 2', level: 'desk', parent: 'DEMO.TTPVHCC' },
  { code: 'DEMO.STP', name: 'Sở Tư pháp', level: 'department', parent: 'DEMO' },
  { code: 'DEMO.SXD', name: 'Sở Xây dựng', level: 'department', parent: 'DEMO' },
  { code: 'DEMO.VPDKDD', name: 'Văn phòng Đăng ký đất đai tỉnh', level: 'department', parent: 'DEMO' },
  { code: 'DEMO.THUE', name: 'Thuế tỉnh', level: 'department', parent: 'DEMO' },
  { code: 'DEMO.BHXH', name: 'Bảo hiểm xã hội tỉnh', level: 'department', parent: 'DEMO' },
  { code: 'DEMO.CA', name: 'Công an tỉnh', level: 'department', parent: 'DEMO' },
  { code: 'DEMO.CA.AN-BINH', name: 'Công an xã An Bình', level: 'commune', parent: 'DEMO.CA' },
  { code: 'DEMO.XA.AN-BINH', name: 'Xã An Bình', level: 'commune', parent: 'DEMO' },
  { code: 'DEMO.XA.HOA-LAC', name: 'Phường Hòa Lạc', level: 'commune', parent: 'DEMO' },
] as const;

export async function hasUsers(em: EntityManager): Promise<boolean> {
  return (await em.count(User, {})) > 0;
}

/** Seeds the demo province into an empty database. Never called on PostgreSQL or in production. */
export async function seedDemo(
  svc: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'config' | 'db' | 'engine' | 'log' | 'plugins'>,
): Promise<void> {
  await svc.db.em().transactional(async (em) => {
    const ids = new Map<string, string>();
    for (const u of demoUnits) {
      const unit = await createUnit(svc, em, system, {
        code: u.code,
        name: u.name,
        level: u.level,
        parentId: u.parent ? ids.get(u.parent) : null,
      });
      ids.set(u.code, unit.id);
    }
    // One hash of "demo" for every account: argon2id is deliberately slow, and the harness seeds each test file.
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    for (const a of demoAccounts) {
      const { user } = await createUser(
        svc,
        em,
        system,
        { username: a.username, displayName: a.displayName, sex: a.sex, unitId: ids.get(a.unit), password: DEMO_PASSWORD },
        { skipPolicy: true, passwordHash },
      );
      await grantRole(svc, em, system, { userId: user.id, role: a.role, unitId: ids.get(a.unit)! });
    }
  });
}

/**
 * On a database without users (production, PostgreSQL): one root unit and the first admin,
 * with MOTCUA_ADMIN_PASSWORD or a random password the caller prints once.
 */
export async function seedFirstAdmin(
  svc: Pick<Ports, 'audit' | 'catalogue' | 'clock' | 'config' | 'db' | 'engine' | 'log' | 'plugins'>,
): Promise<{ username: string; generatedPassword?: string }> {
  return svc.db.em().transactional(async (em) => {
    const root =
      (await em.findOne(Unit, { parentId: null }, { orderBy: { createdAt: 'asc' } })) ??
      (await createUnit(svc, em, system, { code: 'ROOT', name: 'Tỉnh (đổi tên trong phần quản trị)', level: 'province' }));
    const password = svc.config.adminPassword ?? randomSecret(18);
    const { user } = await createUser(svc, em, system, { username: 'admin', displayName: 'Quản trị viên', unitId: root.id, password });
    await grantRole(svc, em, system, { userId: user.id, role: 'admin', unitId: root.id });
    return { username: user.username, generatedPassword: svc.config.adminPassword ? undefined : password };
  });
}
