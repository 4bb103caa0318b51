import { describe, expect, it } from 'vitest';
import { rateLimitSubject } from './client-address.ts';

describe('rateLimitSubject', () => {
  it('counts an IPv4 address as itself, also when mapped into IPv6', () => {
    expect(rateLimitSubject('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitSubject('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts an IPv6 address by its /64, however it is written', () => {
    const subject = '2001:db8:1:2::/64';
    expect(rateLimitSubject('2001:db8:1:2::1')).toBe(subject);
    expect(rateLimitSubject('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe(subject);
    expect(rateLimitSubject('2001:DB8:1:2:0:0:0:9')).toBe(subject);
    expect(rateLimitSubject('2001:db8:1:3::1')).not.toBe(subject);
    expect(rateLimitSubject('::1')).toBe('0:0:0:0::/64');
  });

  it('puts every request of unknown origin in one bucket', () => {
    expect(rateLimitSubject(null)).toBe('unknown');
  });
});
