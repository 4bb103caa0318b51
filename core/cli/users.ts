import { Option, type Command } from 'commander';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/knex';
import { sexes, User } from '../auth/entities.ts';
import { AppError } from '../errors.ts';
import { RoleAssignment, Unit } from '../org/entities.ts';
import { findUnit } from '../org/units-service.ts';
import { createUser, grantRole, resetPassword, setUserActive, unlockUser, type Sex } from '../org/users-service.ts';
import { inTransaction, withPlatform } from './context.ts';
import type { Act } from './act.ts';
import { out, table } from './output.ts';

interface AddOptions {
  name: string;
  email?: string;
  sex?: Sex;
  unit?: string;
  role: string[];
  password?: string;
}

/** `--role specialist@DEMO.STP`, or `--role specialist` within `--unit`. */
export function parseRoleSpec(spec: string, defaultUnit: string | undefined): { role: string; unit: string } {
  const at = spec.indexOf('@');
  const role = at < 0 ? spec : spec.slice(0, at);
  const unit = at < 0 ? defaultUnit : spec.slice(at + 1);
  if (!role || !unit) throw new AppError('request.invalid', `--role ${spec}: write <role>@<unitCode>, or give --unit for the unit`);
  return { role, unit };
}

function printGenerated(username: string, password: string | undefined): void {
  if (!password) return;
  out(`password for ${username}: ${password}`);
  out('  shown once: hand it over securely; the user should change it at first sign-in');
}

async function userRows(em: EntityManager): Promise<string[][]> {
  const users = await em.find(User, {}, { orderBy: { username: 'asc' } });
  const units = new Map((await em.find(Unit, {}, { fields: ['id', 'code'] })).map((u) => [u.id, u.code]));
  const grants = (await em.find(RoleAssignment, {}))
    .map((g) => ({ user_id: g.userId, role: g.role, code: units.get(g.unitId) ?? '?' }))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.role < b.role ? -1 : a.role > b.role ? 1 : 0));
  return users.map((u) => [
    u.username,
    u.displayName,
    u.unitId ? (units.get(u.unitId) ?? '?') : '-',
    !u.active ? 'disabled' : u.lockedAt ? 'locked' : 'active',
    grants
      .filter((g) => g.user_id === u.id)
      .map((g) => `${g.role}@${g.code}`)
      .join(', ') || '-',
  ]);
}

export function registerUserCommands(program: Command, act: Act): void {
  const user = program.command('user').description('user accounts (changes are audited as cli:<os user>)');

  user
    .command('add <username>')
    .description('create an account; without --password a random one is generated and printed once')
    .requiredOption('--name <display>', 'display name, e.g. "Nguyễn Văn An"')
    .option('--email <email>', 'e-mail address')
    .addOption(new Option('--sex <sex>', 'sex (for forms)').choices([...sexes]))
    .option('--unit <code>', 'home unit (decides who may administer the account)')
    .option(
      '--role <role[@unitCode]>',
      'grant a role in a unit (default: --unit); repeatable',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--password <password>', 'initial password (visible in the process list: prefer the generated one)')
    .action(
      act(async (username: string, o: AddOptions) => {
        if (o.email !== undefined && !z.email().safeParse(o.email).success)
          throw new AppError('request.invalid', `--email "${o.email}" is not an e-mail address`);
        const specs = o.role.map((r) => parseRoleSpec(r, o.unit));
        const result = await inTransaction(async (svc, em, acting) => {
          const unit = o.unit ? await findUnit(em, o.unit) : null;
          const created = await createUser(svc, em, acting, {
            username,
            displayName: o.name,
            email: o.email ?? null,
            sex: o.sex ?? null,
            unitId: unit?.id ?? null,
            password: o.password,
          });
          for (const s of specs) await grantRole(svc, em, acting, { userId: created.user.id, role: s.role, unitId: s.unit });
          return { ...created, unit };
        });
        const roles = specs.map((s) => `${s.role}@${s.unit}`).join(', ');
        out(`user ${result.user.username} created${result.unit ? ` in ${result.unit.code}` : ''}${roles ? ` with ${roles}` : ''}`);
        printGenerated(result.user.username, result.generatedPassword);
      }),
    );

  for (const [name, description, verb] of [
    ['disable', 'disable an account: its sessions end at once, its API tokens stop working', 'disabled'],
    ['enable', 'enable a disabled account', 'enabled'],
    ['unlock', 'unlock an account locked after repeated failed logins', 'unlocked'],
  ] as const) {
    user
      .command(`${name} <username>`)
      .description(description)
      .action(
        act(async (username: string) => {
          const u = await inTransaction((svc, em, acting) =>
            name === 'unlock' ? unlockUser(svc, em, acting, username) : setUserActive(svc, em, acting, username, name === 'enable'),
          );
          out(`user ${u.username} ${verb}`);
        }),
      );
  }

  user
    .command('passwd <username>')
    .description("set a user's password (generated and printed once without --password); ends their sessions")
    .option('--password <password>', 'the new password')
    .action(
      act(async (username: string, o: { password?: string }) => {
        const r = await inTransaction((svc, em, acting) => resetPassword(svc, em, acting, username, o.password));
        out(`password of ${r.user.username} set; their sessions were ended`);
        printGenerated(r.user.username, r.generatedPassword);
      }),
    );

  user
    .command('list')
    .description('all accounts with home unit, status and roles')
    .action(
      act(async () => {
        const rows = await withPlatform((p) => userRows(p.services.db.em()));
        if (rows.length === 0) out('no users');
        else for (const line of table(['USERNAME', 'NAME', 'UNIT', 'STATUS', 'ROLES'], rows)) out(line);
      }),
    );
}
