import { Router, type Request, type Response } from 'express';
import type { User } from '../../generated/prisma/client';
import { authContext, type AuthDeps } from '../access/authenticate';
import type { AuditRecord } from '../access/audit-sink';
import { ipAllowed } from '../access/ip-allowlist';
import { hashPassword, passwordProblems, verifyPassword } from '../access/passwords';
import type { Principal } from '../access/principal';
import { checkCode, signInFailed, SignInSteps, userActor } from '../access/sign-in';
import { signAccessToken } from '../access/tokens';
import { parseOrProblem, ProblemError, ValidationProblem } from '../problem';
import { ChangePasswordRequest, CodeRequest, EmptyRequest, LoginRequest, MfaLoginRequest, RefreshRequest } from '../schemas/auth.schema';

const codeRefused = () => new ProblemError(403, 'Code refused', 'The code is wrong, expired or already used.', '/problems/code-refused');

function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
}

/** The signed-in user's session: API keys have none. */
function sessionOf(res: Response): Principal & { sessionId: string } {
  const p = res.locals.principal;
  if (!p || p.kind !== 'user' || !p.sessionId) throw new ProblemError(403, 'Not a session', 'Only a signed-in user (not an API key) can do this.', '/problems/not-a-session');
  return p as Principal & { sessionId: string };
}

/**
 * Sign-in (password, then TOTP when enrolled), refresh-token rotation, sign-out, step-up MFA,
 * MFA enrolment and password change (issue 9). Every refusal is audited with its reason; the
 * answers do not tell an unknown e-mail from a wrong password or a locked account.
 */
export function authRoutes(deps: AuthDeps): Router {
  const ctx = authContext(deps);
  const { store, settings } = ctx;
  const { prisma } = deps;
  const router = Router();

  const signIn = new SignInSteps(ctx);
  const audit = (req: Request, res: Response, event: Partial<AuditRecord> & Pick<AuditRecord, 'action' | 'outcome' | 'status'>) => signIn.audit(req, res, event);
  const limit = (req: Request, res: Response, action: string) => signIn.limit(req, res, action);
  const recordFailure = (req: Request, res: Response, user: User, now: number, action: string) => signIn.recordFailure(req, res, user, now, action);

  async function issueTokens(req: Request, user: Pick<User, 'id' | 'role' | 'mfaEnabled'>, now: number, mfaAt: number | null) {
    const { sessionId, refreshToken } = await store.createSession(user.id, now, { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null, mfaAt });
    const accessToken = await signAccessToken(deps.secrets.tokenKey, { sub: user.id, sid: sessionId, role: user.role, mfaAt }, now, settings.accessTokenTtlMs);
    return {
      tokenType: 'Bearer',
      accessToken,
      expiresIn: Math.floor(settings.accessTokenTtlMs / 1000),
      refreshToken,
      sessionId,
      mfaEnrolmentRequired: !user.mfaEnabled && settings.mfaRequiredRoles.includes(user.role),
    };
  }

  router.post('/auth/login', async (req, res) => {
    await limit(req, res, 'auth.login');
    const body = parseOrProblem(LoginRequest, req.body);
    const now = ctx.now();
    const { user, challenge } = await signIn.password(req, res, body, now);
    noStore(res);
    if (challenge !== null) {
      res.json({ mfaRequired: true, challenge, expiresIn: Math.floor(settings.challengeTtlMs / 1000) });
      return;
    }
    const tokens = await issueTokens(req, user, now, null);
    await audit(req, res, { ...userActor(user), action: 'auth.login', outcome: 'success', status: 200, resourceType: 'session', resourceId: tokens.sessionId });
    res.json({ mfaRequired: false, ...tokens });
  });

  router.post('/auth/mfa', async (req, res) => {
    await limit(req, res, 'auth.mfa');
    const body = parseOrProblem(MfaLoginRequest, req.body);
    const now = ctx.now();
    const { user, method } = await signIn.secondFactor(req, res, body, now);
    const tokens = await issueTokens(req, user, now, now);
    await audit(req, res, { ...userActor(user), action: 'auth.mfa', outcome: 'success', status: 200, resourceType: 'session', resourceId: tokens.sessionId, detail: method });
    noStore(res);
    res.json(tokens);
  });

  router.post('/auth/refresh', async (req, res) => {
    await limit(req, res, 'auth.refresh');
    const body = parseOrProblem(RefreshRequest, req.body);
    const now = ctx.now();
    const result = await store.rotate(body.refreshToken, now);
    if (!result.ok) {
      const action = result.reason === 'refresh-reused' ? 'auth.refresh-reuse' : 'auth.refresh';
      await audit(req, res, {
        ...(result.userId ? { actorKind: 'user' as const, actorId: result.userId } : {}),
        action,
        outcome: 'denied',
        status: 401,
        detail: result.reason === 'refresh-reused' ? 'refresh token reused: session (token family) revoked' : result.reason,
        ...(result.sessionId ? { resourceType: 'session', resourceId: result.sessionId } : {}),
      });
      throw signInFailed();
    }
    store.forgetUser(result.userId);
    const user = await store.user(result.userId, now);
    const refusal = !user ? 'user-unknown' : user.disabled ? 'disabled' : !ipAllowed(req.ip, await store.allowlistFor(user, now)) ? 'ip-not-allowed' : null;
    if (refusal || !user) {
      await store.revoke(result.sessionId, refusal ?? 'user-unknown', now);
      await audit(req, res, { actorKind: 'user', actorId: result.userId, action: 'auth.refresh', outcome: 'denied', status: 401, detail: refusal });
      throw signInFailed();
    }
    const accessToken = await signAccessToken(deps.secrets.tokenKey, { sub: user.id, sid: result.sessionId, role: user.role, mfaAt: result.mfaAt }, now, settings.accessTokenTtlMs);
    noStore(res);
    res.json({ tokenType: 'Bearer', accessToken, expiresIn: Math.floor(settings.accessTokenTtlMs / 1000), refreshToken: result.refreshToken, sessionId: result.sessionId });
  });

  router.post('/auth/logout', async (req, res) => {
    const p = sessionOf(res);
    parseOrProblem(EmptyRequest, req.body ?? {});
    await store.revoke(p.sessionId, 'logout', ctx.now());
    await audit(req, res, { actorKind: 'user', actorId: p.id, actorName: p.name, role: p.role, action: 'auth.logout', outcome: 'success', status: 204, resourceType: 'session', resourceId: p.sessionId });
    res.status(204).end();
  });

  router.get('/auth/me', async (_req, res) => {
    const p = res.locals.principal!;
    const user = p.kind === 'user' ? await prisma.user.findUnique({ where: { id: p.id } }) : null;
    res.json({
      kind: p.kind,
      id: p.id,
      name: p.name,
      ...(user ? { email: user.email, displayName: user.name, mfaEnabled: user.mfaEnabled, recoveryCodesLeft: user.recoveryCodes.length } : {}),
      role: p.role,
      permissions: [...p.permissions].sort(),
      branch: p.branch,
      allBranches: p.allBranches,
      advisorId: p.advisorId,
      ...(p.sessionId ? { sessionId: p.sessionId, mfaAt: p.mfaAt ? new Date(p.mfaAt).toISOString() : null } : {}),
    });
  });

  router.post('/auth/step-up', async (req, res) => {
    await limit(req, res, 'auth.step-up');
    const p = sessionOf(res);
    const body = parseOrProblem(CodeRequest, req.body);
    const now = ctx.now();
    const user = await prisma.user.findUniqueOrThrow({ where: { id: p.id } });
    if (!user.mfaEnabled || !user.totpSecret) throw new ProblemError(409, 'MFA not enrolled', 'Enrol an authenticator first (POST /auth/mfa/enrol).', '/problems/mfa-not-enrolled');
    const step = await checkCode(ctx, user, body.code, now);
    if (step === null || step === 'undecryptable') {
      await recordFailure(req, res, user, now, 'auth.step-up');
      await audit(req, res, { ...userActor(user), action: 'auth.step-up', outcome: 'denied', status: 403, detail: step ?? 'wrong-or-reused-code' });
      throw codeRefused();
    }
    await store.setMfaAt(p.sessionId, now);
    const accessToken = await signAccessToken(deps.secrets.tokenKey, { sub: user.id, sid: p.sessionId, role: user.role, mfaAt: now }, now, settings.accessTokenTtlMs);
    await audit(req, res, { ...userActor(user), action: 'auth.step-up', outcome: 'success', status: 200, resourceType: 'session', resourceId: p.sessionId });
    noStore(res);
    res.json({ tokenType: 'Bearer', accessToken, expiresIn: Math.floor(settings.accessTokenTtlMs / 1000), mfaAt: new Date(now).toISOString() });
  });

  router.post('/auth/mfa/enrol', async (req, res) => {
    const p = sessionOf(res);
    parseOrProblem(EmptyRequest, req.body ?? {});
    const user = await prisma.user.findUniqueOrThrow({ where: { id: p.id } });
    if (user.mfaEnabled) throw new ProblemError(409, 'MFA already enabled', 'An administrator must reset MFA (POST /users/:id/mfa/reset) before enrolling again.', '/problems/mfa-already-enabled');
    const enrolment = await signIn.enrol(req, res, user);
    noStore(res);
    res.json({ ...enrolment, confirmWith: 'POST /auth/mfa/confirm {"code": "<6 digits>"}' });
  });

  router.post('/auth/mfa/confirm', async (req, res) => {
    await limit(req, res, 'auth.mfa-confirm');
    const p = sessionOf(res);
    const body = parseOrProblem(CodeRequest, req.body);
    const now = ctx.now();
    const user = await prisma.user.findUniqueOrThrow({ where: { id: p.id } });
    if (user.mfaEnabled) throw new ProblemError(409, 'MFA already enabled', 'MFA is already enabled for this account.', '/problems/mfa-already-enabled');
    if (!user.totpSecret) throw new ProblemError(409, 'MFA not enrolled', 'Start with POST /auth/mfa/enrol.', '/problems/mfa-not-enrolled');
    if (!(await signIn.confirmEnrolment(req, res, user, body.code, now))) throw codeRefused();
    await store.setMfaAt(p.sessionId, now);
    res.json({ mfaEnabled: true });
  });

  router.post('/auth/password', async (req, res) => {
    await limit(req, res, 'auth.password');
    const p = sessionOf(res);
    const body = parseOrProblem(ChangePasswordRequest, req.body);
    const now = ctx.now();
    const user = await prisma.user.findUniqueOrThrow({ where: { id: p.id } });
    if (!(await verifyPassword(user.passwordHash, body.current))) {
      await recordFailure(req, res, user, now, 'auth.password');
      await audit(req, res, { ...userActor(user), action: 'auth.password', outcome: 'denied', status: 403, detail: 'wrong-current-password' });
      throw new ProblemError(403, 'Password refused', 'The current password is wrong.', '/problems/password-refused');
    }
    const problems = passwordProblems(body.next, user.email);
    if (body.next === body.current) problems.push('must differ from the current password');
    if (problems.length > 0) throw new ValidationProblem(problems.map((detail) => ({ pointer: '/next', detail })));
    await prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(body.next, settings.password), version: { increment: 1 } } });
    await store.revokeUserSessions(user.id, 'password-changed', now, p.sessionId);
    await audit(req, res, { ...userActor(user), action: 'auth.password', outcome: 'success', status: 204, resourceType: 'user', resourceId: user.id, detail: 'other sessions revoked' });
    res.status(204).end();
  });

  return router;
}
