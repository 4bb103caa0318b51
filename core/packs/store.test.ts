import { describe, expect, it } from 'vitest';
import { useTestPlatform } from '../../tests/support/platform.ts';
import { testKeys } from '../../tests/support/test-packs.ts';
import { cliActing } from '../org/actor.ts';
import { listTrustedKeys, revokeKey, trustedKey, trustKey } from './store.ts';

const ctx = useTestPlatform();
const acting = cliActing();

describe('trusted keys in one transaction', () => {
  it('Given a key trusted and revoked, When it is trusted again in the same transaction, Then each step sees the previous one and nothing is left for a later flush', async () => {
    const svc = ctx.t.platform.services;
    const input = { publicKey: testKeys.publicKeyPem, publisherName: 'Tỉnh Thử', province: 'TT' };
    const again = await svc.db.em().transactional(async (em) => {
      const first = await trustKey(svc, em, acting, input);
      expect(first.revokedAt).toBeNull();
      const revoked = await revokeKey(svc, em, acting, first.keyId);
      expect(revoked.revokedBy).toBe(acting.actor.name);
      expect(await trustedKey(em, first.keyId)).toBeNull();
      const trusted = await trustKey(svc, em, acting, { ...input, publisherName: 'Tỉnh Thử (khóa cấp lại)' });
      expect([...em.getUnitOfWork().getIdentityMap()].map((e) => e.constructor.name)).toEqual([]);
      return trusted;
    });
    expect(again).toMatchObject({ keyId: testKeys.keyId, publisherName: 'Tỉnh Thử (khóa cấp lại)', revokedAt: null, revokedBy: null });
    expect(await listTrustedKeys(svc.db.em())).toMatchObject([{ keyId: testKeys.keyId, revokedAt: null }]);
    expect(await trustedKey(svc.db.em(), testKeys.keyId)).not.toBeNull();
  });
});
