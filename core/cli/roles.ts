import type { Command } from 'commander';
import { AppError } from '../errors.ts';
import { RoleAssignment } from '../org/entities.ts';
import { roleNames } from '../org/roles.ts';
import { findUnit } from '../org/units-service.ts';
import { findUser, grantRole, revokeRole } from '../org/users-service.ts';
import { inTransaction } from './context.ts';
import type { Act } from './act.ts';
import { out } from './output.ts';

export function registerRoleCommands(program: Command, act: Act): void {
  const role = program.command('role').description(`roles within units (${roleNames.join(', ')}); audited as cli:<os user>`);

  role
    .command('grant <username> <role> <unitCode>')
    .description('grant a role in a unit and every unit below it')
    .action(
      act(async (username: string, name: string, unitCode: string) => {
        await inTransaction((svc, em, acting) => grantRole(svc, em, acting, { userId: username, role: name, unitId: unitCode }));
        out(`${username} is ${name} in ${unitCode}`);
      }),
    );

  role
    .command('revoke <username> <role> <unitCode>')
    .description('revoke a role granted in a unit')
    .action(
      act(async (username: string, name: string, unitCode: string) => {
        await inTransaction(async (svc, em, acting) => {
          const user = await findUser(em, username);
          const unit = await findUnit(em, unitCode);
          const assignment = await em.findOne(RoleAssignment, { userId: user.id, role: name, unitId: unit.id });
          if (!assignment) throw new AppError('role.assignment_not_found', `${user.username} has no role "${name}" in ${unit.code}`);
          await revokeRole(svc, em, acting, assignment);
        });
        out(`${username} is no longer ${name} in ${unitCode}`);
      }),
    );
}
