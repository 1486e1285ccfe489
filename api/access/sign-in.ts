import type { Request, Response } from 'express';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { User } from '../../generated/prisma/client';
import { ProblemError } from '../problem';
import type { LoginRequest, MfaLoginRequest } from '../schemas/auth.schema';
import type { AuditRecord } from './audit-sink';
import { authAudit, type AuthContext } from './authenticate';
import { ipAllowed } from './ip-allowlist';
import { verifyPassword } from './passwords';
import { signChallenge, verifyChallenge } from './tokens';
import { consumeRecoveryCode, decryptSecret, newEnrolment, totpUri, verifyTotp } from './totp';

/** The one answer to a failed sign-in, whatever the reason (unknown e-mail, wrong password or code, locked, disabled, address). */
export const signInFailed = () => new ProblemError(401, 'Sign-in failed', 'The credentials are wrong, or this account cannot sign in right now.', '/problems/sign-in-failed');

type AuditEvent = Partial<AuditRecord> & Pick<AuditRecord, 'action' | 'outcome' | 'status'>;

export const userActor = (u: Pick<User, 'id' | 'email' | 'role'>) => ({ actorKind: 'user' as const, actorId: u.id, actorName: u.email, role: u.role });

/**
 * The steps of signing in, shared by the JSON API (`/auth/login`, `/auth/mfa`) and the browser's
 * HTML form (`/auth/sign-in`): the per-address rate limit, the password, the TOTP or recovery
 * code, and the lockout counting. Every refusal is audited with its reason and thrown as the same
 * `401 Sign-in failed` (429 when rate-limited); the caller opens the session on success.
 */
export class SignInSteps {
  constructor(private readonly ctx: AuthContext) {}

  audit(req: Request, res: Response, event: AuditEvent): Promise<void> {
    return this.ctx.deps.audit.record(authAudit(req, res, event));
  }

  async limit(req: Request, res: Response, action: string): Promise<void> {
    try {
      await this.ctx.loginLimiter.consume(req.ip ?? 'unknown');
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const retryAfterSeconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      await this.audit(req, res, { action, outcome: 'denied', status: 429, detail: 'rate-limited' });
      throw new ProblemError(429, 'Too many attempts', `Too many sign-in attempts from this address; retry in ${retryAfterSeconds} s.`, '/problems/too-many-attempts', { retryAfterSeconds });
    }
  }

  /** Counts a failed password or code; the threshold-th in a row locks the account. */
  async recordFailure(req: Request, res: Response, user: User, now: number, action: string): Promise<void> {
    const { prisma } = this.ctx.deps;
    const { settings } = this.ctx;
    const updated = await prisma.user.update({ where: { id: user.id }, data: { failedLogins: { increment: 1 } } });
    if (updated.failedLogins >= settings.lockoutThreshold) {
      await prisma.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: new Date(now + settings.lockoutMs) } });
      await this.audit(req, res, { ...userActor(user), action: `${action}.lockout`, outcome: 'denied', status: 401, detail: `locked for ${settings.lockoutMs / 60_000} min after ${updated.failedLogins} failures` });
    }
  }

  /**
   * E-mail and password. Answers the user, with a challenge (for the code step) when they have
   * an authenticator; that case is audited here as `password-ok-mfa-required`.
   */
  async password(req: Request, res: Response, body: LoginRequest, now: number): Promise<{ user: User; challenge: string | null }> {
    const { prisma } = this.ctx.deps;
    const email = body.email.toLowerCase();
    const user = await prisma.user.findUnique({ where: { email } });
    const fail = async (reason: string, u?: User): Promise<never> => {
      await this.audit(req, res, { ...(u ? userActor(u) : { actorName: email.slice(0, 254) }), action: 'auth.login', outcome: 'denied', status: 401, detail: reason });
      throw signInFailed();
    };
    if (!user) {
      await verifyPassword(await this.ctx.dummyHash(), body.password);
      return fail('unknown-email');
    }
    const passwordOk = await verifyPassword(user.passwordHash, body.password);
    if (user.lockedUntil && user.lockedUntil.getTime() > now) return fail('locked', user);
    if (user.disabled) return fail('disabled', user);
    if (!passwordOk) {
      await this.recordFailure(req, res, user, now, 'auth.login');
      return fail('wrong-password', user);
    }
    if (!ipAllowed(req.ip, await this.ctx.store.allowlistFor(user, now))) return fail('ip-not-allowed', user);
    if (user.failedLogins > 0 || user.lockedUntil) await prisma.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null } });
    if (!user.mfaEnabled) return { user, challenge: null };
    await this.audit(req, res, { ...userActor(user), action: 'auth.login', outcome: 'success', status: 200, detail: 'password-ok-mfa-required' });
    return { user, challenge: await signChallenge(this.ctx.deps.secrets.tokenKey, user.id, now, this.ctx.settings.challengeTtlMs) };
  }

  /**
   * Starts (or starts again) the enrolment of an authenticator: a new secret and recovery codes
   * kept on the user, not yet in force (`mfaEnabled` stays false until a code from the new
   * authenticator confirms it). Answers the secret, its otpauth URI and the recovery codes, the
   * only time they are shown.
   */
  async enrol(req: Request, res: Response, user: User): Promise<{ secret: string; otpauthUri: string; recoveryCodes: string[] }> {
    const { prisma, secrets } = this.ctx.deps;
    const { settings } = this.ctx;
    const { secret, encryptedSecret, recoveryCodes, recoveryHashes } = await newEnrolment(secrets.dataKey, settings.password);
    await prisma.user.update({ where: { id: user.id }, data: { totpSecret: encryptedSecret, totpLastStep: null, recoveryCodes: recoveryHashes, version: { increment: 1 } } });
    await this.audit(req, res, { ...userActor(user), action: 'auth.mfa-enrol', outcome: 'success', status: 200, resourceType: 'user', resourceId: user.id });
    return { secret, otpauthUri: totpUri(settings.totpIssuer, user.email, secret), recoveryCodes };
  }

  /**
   * Puts an enrolled authenticator in force once a code from it is right (and not used before);
   * a wrong code is audited and answers false, changing nothing.
   */
  async confirmEnrolment(req: Request, res: Response, user: User, code: string, now: number): Promise<boolean> {
    const step = await checkCode(this.ctx, user, code, now);
    if (step === null || step === 'undecryptable') {
      await this.audit(req, res, { ...userActor(user), action: 'auth.mfa-confirm', outcome: 'denied', status: 403, detail: step ?? 'wrong-code' });
      return false;
    }
    await this.ctx.deps.prisma.user.update({ where: { id: user.id }, data: { mfaEnabled: true, version: { increment: 1 } } });
    this.ctx.store.forgetUser(user.id);
    await this.audit(req, res, { ...userActor(user), action: 'auth.mfa-confirm', outcome: 'success', status: 200, resourceType: 'user', resourceId: user.id });
    return true;
  }

  /** The challenge from the password step with a TOTP code or a recovery code (each accepted once). */
  /**
   * The user a password step's challenge names, if they may go on: the challenge valid, the
   * account unlocked, enabled and allowed from this address, and its authenticator as the step
   * needs it (`in-force` to sign in with a code, `enrolling` to confirm a new one). Anything else
   * is audited under `action` with its reason and thrown as the one `401 Sign-in failed`.
   */
  async challengedUser(req: Request, res: Response, token: string, now: number, action: string, authenticator: 'in-force' | 'enrolling'): Promise<User> {
    const fail = async (reason: string, u?: User): Promise<never> => {
      await this.audit(req, res, { ...(u ? userActor(u) : {}), action, outcome: 'denied', status: 401, detail: reason });
      throw signInFailed();
    };
    const challenge = await verifyChallenge(this.ctx.deps.secrets.tokenKey, token, now);
    if ('refused' in challenge) return fail(challenge.refused);
    const user = await this.ctx.deps.prisma.user.findUnique({ where: { id: challenge.userId } });
    if (!user) return fail('user-unknown');
    if (user.lockedUntil && user.lockedUntil.getTime() > now) return fail('locked', user);
    if (user.disabled) return fail('disabled', user);
    if (authenticator === 'in-force' && (!user.mfaEnabled || !user.totpSecret)) return fail('mfa-not-enabled', user);
    if (authenticator === 'enrolling' && user.mfaEnabled) return fail('mfa-already-enabled', user);
    if (authenticator === 'enrolling' && !user.totpSecret) return fail('mfa-not-enrolled', user);
    if (!ipAllowed(req.ip, await this.ctx.store.allowlistFor(user, now))) return fail('ip-not-allowed', user);
    return user;
  }

  async secondFactor(req: Request, res: Response, body: MfaLoginRequest, now: number): Promise<{ user: User; method: 'totp' | 'recovery-code' }> {
    const { prisma } = this.ctx.deps;
    const fail = async (reason: string, u?: User): Promise<never> => {
      await this.audit(req, res, { ...(u ? userActor(u) : {}), action: 'auth.mfa', outcome: 'denied', status: 401, detail: reason });
      throw signInFailed();
    };
    const user = await this.challengedUser(req, res, body.challenge, now, 'auth.mfa', 'in-force');
    if (body.code !== undefined) {
      const step = await checkCode(this.ctx, user, body.code, now);
      if (step === 'undecryptable') return fail('totp-secret-undecryptable', user);
      if (step === null) {
        await this.recordFailure(req, res, user, now, 'auth.mfa');
        return fail('wrong-or-reused-code', user);
      }
    } else {
      const remaining = await consumeRecoveryCode(user.recoveryCodes, body.recoveryCode!);
      const claimed = remaining && (await prisma.user.updateMany({ where: { id: user.id, recoveryCodes: { equals: user.recoveryCodes } }, data: { recoveryCodes: remaining } })).count === 1;
      if (!claimed) {
        await this.recordFailure(req, res, user, now, 'auth.mfa');
        return fail('wrong-or-used-recovery-code', user);
      }
    }
    if (user.failedLogins > 0) await prisma.user.update({ where: { id: user.id }, data: { failedLogins: 0 } });
    return { user, method: body.code !== undefined ? 'totp' : 'recovery-code' };
  }
}

/**
 * Verifies a TOTP code and claims its time step in one conditional update, so the same code
 * (or an older one) is never accepted twice, even by two concurrent requests.
 */
export async function checkCode(ctx: AuthContext, user: User, code: string, now: number): Promise<number | null | 'undecryptable'> {
  const secret = user.totpSecret ? decryptSecret(user.totpSecret, ctx.deps.secrets.dataKey) : null;
  if (!secret) return 'undecryptable';
  const last = user.totpLastStep === null ? null : Number(user.totpLastStep);
  const step = await verifyTotp(secret, code, now, last);
  if (step === null) return null;
  const { count } = await ctx.deps.prisma.user.updateMany({
    where: { id: user.id, OR: [{ totpLastStep: null }, { totpLastStep: { lt: BigInt(step) } }] },
    data: { totpLastStep: BigInt(step) },
  });
  return count === 1 ? step : null;
}
