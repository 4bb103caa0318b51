import type { EntityManager } from '@mikro-orm/knex';
import type { Ports } from './modules/ports.ts';
import { User } from './auth/entities.ts';
import { randomSecret } from './auth/tokens.ts';
import { Unit } from './org/entities.ts';
import { createUnit } from './org/units-service.ts';
import { createUser, grantRole } from './org/users-service.ts';
import type { Acting } from './org/actor.ts';

const system: Acting = { actor: { id: null, name: 'system' }, requestId: null };

export const DEMO_PASSWORD = 'demo';

/** The demo province: a provincial centre with two departments and two communes. Demo-only accounts. */
export const demoAccounts = [
  { username: 'admin', displayName: 'Quản trị viên (demo)', role: 'admin', unit: 'DEMO', sex: 'male' },
  { username: 'analyst', displayName: 'Nguyễn Thị Phân Tích (demo)', role: 'analyst', unit: 'DEMO', sex: 'female' },
  { username: 'clerk', displayName: 'Trần Thị Tiếp Nhận (demo)', role: 'receptionist', unit: 'DEMO.TTPVHCC.Q1', sex: 'female' },
  { username: 'specialist', displayName: 'Lê Văn Chuyên Viên (demo)', role: 'specialist', unit: 'DEMO.STP', sex: 'male' },
  { username: 'leader', displayName: 'Phạm Thị Lãnh Đạo (demo)', role: 'leader', unit: 'DEMO.STP', sex: 'female' },
  { username: 'auditor', displayName: 'Hoàng Văn Thanh Tra (demo)', role: 'auditor', unit: 'DEMO', sex: 'male' },
] as const;

const demoUnits = [
  { code: 'DEMO', name: 'Tỉnh Demo (dữ liệu mẫu)', level: 'province', parent: null },
  { code: 'DEMO.TTPVHCC', name: 'Trung tâm Phục vụ hành chính công tỉnh', level: 'department', parent: 'DEMO' },
  { code: 'DEMO.TTPVHCC.Q1', name: 'Quầy tiếp nhận và trả kết quả số 1', level: 'desk', parent: 'DEMO.TTPVHCC' },
  { code: 'DEMO.STP', name: 'Sở Tư pháp', level: 'department', parent: 'DEMO' },
  { code: 'DEMO.SXD', name: 'Sở Xây dựng', level: 'department', parent: 'DEMO' },
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
    for (const a of demoAccounts) {
      const { user } = await createUser(
        svc,
        em,
        system,
        { username: a.username, displayName: a.displayName, sex: a.sex, unitId: ids.get(a.unit), password: DEMO_PASSWORD },
        { skipPolicy: true },
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
