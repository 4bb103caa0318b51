import { describe, expect, it } from 'vitest';
import { wrap } from '@mikro-orm/core';
import { useTestPlatform } from '../../tests/support/platform.ts';
import { User } from './entities.ts';
import { userFromRow } from './user-row.ts';

const ctx = useTestPlatform();

describe('the principal read from a raw users row', () => {
  it('has every field the ORM entity has, with the same values and types', async () => {
    const em = ctx.t.platform.services.db.em();
    // A locked user with a failed login and a password change: every nullable field is set.
    await em.execute(
      "UPDATE users SET locked_at = ?, last_failed_at = ?, failed_logins = 3, email = 'clerk@example.vn', sex = 'female' WHERE username = 'clerk'",
      [new Date('2026-03-01T02:03:04.005Z'), new Date('2026-03-01T02:00:00.000Z')],
    );
    for (const username of ['clerk', 'admin']) {
      const [row] = await em.execute<Record<string, unknown>[]>('SELECT * FROM users WHERE username = ?', [username]);
      const entity = await em.fork().findOneOrFail(User, { username });
      const plain = userFromRow(row);
      expect(plain).toEqual({ ...wrap(entity).toObject(), passwordHash: entity.passwordHash });
      expect(plain.createdAt).toBeInstanceOf(Date);
      expect(typeof plain.active).toBe('boolean');
    }
  });
});
