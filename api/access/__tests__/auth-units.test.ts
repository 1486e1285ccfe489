import { generate } from 'otplib';
import { ipAllowed, isValidCidr } from '../ip-allowlist';
import { CHEAP_PASSWORD_OPTIONS, hashPassword, passwordProblems, verifyPassword } from '../passwords';
import { parseApiKey, newApiKey, signAccessToken, verifyAccessToken } from '../tokens';
import { consumeRecoveryCode, decryptSecret, encryptSecret, newRecoveryCodes, newTotpSecret, verifyTotp } from '../totp';

const KEY = 'k'.repeat(32);

describe('IP allowlists', () => {
  test('CIDR ranges and single addresses, IPv4 and IPv6, IPv4-mapped IPv6 read as IPv4', () => {
    expect(ipAllowed('10.1.2.3', [])).toBe(true);
    expect(ipAllowed('10.1.2.3', ['10.1.0.0/16'])).toBe(true);
    expect(ipAllowed('10.2.0.1', ['10.1.0.0/16'])).toBe(false);
    expect(ipAllowed('::ffff:10.1.2.3', ['10.1.0.0/16'])).toBe(true);
    expect(ipAllowed('2001:db8::1', ['2001:db8::/32'])).toBe(true);
    expect(ipAllowed('2001:db9::1', ['2001:db8::/32', '10.0.0.0/8'])).toBe(false);
    expect(ipAllowed('192.0.2.1', ['192.0.2.1'])).toBe(true);
    expect(ipAllowed(undefined, ['0.0.0.0/0'])).toBe(false);
    expect(ipAllowed('garbage', ['0.0.0.0/0'])).toBe(false);
    expect(['10.0.0.0/8', '::1', '2001:db8::/32'].every(isValidCidr)).toBe(true);
    expect(['10.0.0.0/33', '300.1.1.1', 'example.com', ''].some(isValidCidr)).toBe(false);
  });
});

describe('passwords', () => {
  test('argon2id; policy: at least 12 characters, not the e-mail', async () => {
    const hash = await hashPassword('a long password', CHEAP_PASSWORD_OPTIONS);
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'a long password')).toBe(true);
    expect(await verifyPassword(hash, 'a long passworD')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
    expect(passwordProblems('short', 'a@b.test')).toEqual(['must be at least 12 characters']);
    expect(passwordProblems('Someone@Example.test', 'someone@example.test')).toEqual(['must not be the e-mail address or its local part']);
    expect(passwordProblems('twelve chars', 'a@b.test')).toEqual([]);
  });
});

describe('TOTP', () => {
  test('secrets are encrypted with AES-256-GCM; tampering or another key reads nothing', () => {
    const secret = newTotpSecret();
    const stored = encryptSecret(secret, KEY);
    expect(stored).not.toContain(secret);
    expect(encryptSecret(secret, KEY)).not.toBe(stored); // fresh IV each time
    expect(decryptSecret(stored, KEY)).toBe(secret);
    expect(decryptSecret(stored, 'x'.repeat(32))).toBeNull();
    const parts = stored.split('.');
    parts[3] = Buffer.from('AAAAAAAA').toString('base64url');
    expect(decryptSecret(parts.join('.'), KEY)).toBeNull();
  });

  test('30 s steps, ±1 step, each step once and never an older one', async () => {
    const secret = newTotpSecret();
    const t = 1_900_000_005_000;
    const step = Math.floor(t / 30_000);
    const at = (ms: number) => generate({ secret, epoch: Math.floor(ms / 1000) });
    expect(await verifyTotp(secret, await at(t), t, null)).toBe(step);
    expect(await verifyTotp(secret, await at(t - 30_000), t, null)).toBe(step - 1);
    expect(await verifyTotp(secret, await at(t + 30_000), t, null)).toBe(step + 1);
    expect(await verifyTotp(secret, await at(t - 60_000), t, null)).toBeNull();
    expect(await verifyTotp(secret, await at(t + 60_000), t, null)).toBeNull();
    expect(await verifyTotp(secret, await at(t), t, step)).toBeNull();
    expect(await verifyTotp(secret, await at(t - 30_000), t, step)).toBeNull();
    expect(await verifyTotp(secret, await at(t + 30_000), t, step)).toBe(step + 1);
    expect(await verifyTotp(secret, '12345', t, null)).toBeNull();
  });

  test('ten recovery codes, each usable once', async () => {
    const { codes, hashes } = await newRecoveryCodes(CHEAP_PASSWORD_OPTIONS);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const left = await consumeRecoveryCode(hashes, codes[2]!.replace('-', '').toUpperCase());
    expect(left).toHaveLength(9);
    expect(await consumeRecoveryCode(left!, codes[2]!)).toBeNull();
    expect(await consumeRecoveryCode(left!, 'aaaaa-aaaaa')).toBeNull();
  });
});

describe('tokens', () => {
  test('access tokens carry sub, sid, role, mfaAt and expire; API keys parse', async () => {
    const t = 1_900_000_000_000;
    const token = await signAccessToken(KEY, { sub: 'u1', sid: 's1', role: 'FINANCE', mfaAt: t }, t, 300_000);
    expect(await verifyAccessToken(KEY, token, t + 299_000)).toMatchObject({ sub: 'u1', sid: 's1', role: 'FINANCE', mfaAt: t, jti: expect.any(String) });
    expect(await verifyAccessToken(KEY, token, t + 300_000)).toEqual({ refused: 'expired' });
    expect(await verifyAccessToken('x'.repeat(32), token, t)).toEqual({ refused: 'bad-signature' });
    const key = newApiKey();
    expect(parseApiKey(key.token)).toEqual({ id: key.id, secret: key.secret });
    expect(parseApiKey(`${key.token}x`)).toBeNull();
  });

  test('a token verified once is still checked for expiry, key and tampering on every use', async () => {
    const t = 1_900_000_000_000;
    const token = await signAccessToken(KEY, { sub: 'u2', sid: 's2', role: 'ADVISOR', mfaAt: null }, t, 60_000);
    for (let i = 0; i < 3; i++) expect(await verifyAccessToken(KEY, token, t + 59_000)).toMatchObject({ sub: 'u2', role: 'ADVISOR' });
    expect(await verifyAccessToken(KEY, token, t + 60_000)).toEqual({ refused: 'expired' });
    expect(await verifyAccessToken('y'.repeat(32), token, t)).toEqual({ refused: 'bad-signature' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const raised = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), role: 'ADMIN' })).toString('base64url');
    expect(await verifyAccessToken(KEY, `${header}.${raised}.${signature}`, t)).toEqual({ refused: 'bad-signature' });
    expect(await verifyAccessToken(KEY, token, t)).toMatchObject({ sub: 'u2', role: 'ADVISOR' });
  });
});
