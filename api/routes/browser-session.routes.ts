import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import type { User } from '../../generated/prisma/client';
import { authContext, type AuthDeps } from '../access/authenticate';
import { clearSessionCookie, FORM_PATHS, originAllowed, safeNext, setSessionCookie, SIGN_IN_ENROL_PATH, SIGN_IN_MFA_PATH, SIGN_IN_PATH, SIGN_OUT_PATH } from '../access/browser-session';
import { signInFailed, SignInSteps, userActor } from '../access/sign-in';
import { renderSignInPage, signInCsp, type SignInPage } from '../access/sign-in-page';
import { signBrowserSession, signChallenge } from '../access/tokens';
import { decryptSecret, totpUri } from '../access/totp';
import { parseOrProblem, ProblemError, queryOf, ValidationProblem } from '../problem';
import { SignInEnrolForm, SignInForm, SignInMfaForm, SignInQuery, SignOutForm } from '../schemas/auth.schema';

/** The sign-in and sign-out forms post `application/x-www-form-urlencoded` (small); every other route takes JSON only. */
const urlencoded = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
export const isFormPost = (req: Request) => req.method === 'POST' && FORM_PATHS.has(req.path);
export const formBodies = (req: Request, res: Response, next: express.NextFunction) => (isFormPost(req) ? urlencoded(req, res, next) : next());

/** How long the enrolment form stays good (setting up an authenticator app can take a while). */
const ENROL_TTL_MS = 15 * 60_000;

/** What the form says about any refused sign-in: the same words whatever the reason (the audit trail has it). */
const SIGN_IN_FAILED = 'Sign-in failed: the credentials are wrong, or this account cannot sign in right now.';

function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
}

function sendPage(res: Response, status: number, page: SignInPage): void {
  const nonce = randomBytes(18).toString('base64');
  noStore(res);
  res
    .status(status)
    .setHeader('Content-Security-Policy', signInCsp(nonce))
    .setHeader('X-Content-Type-Options', 'nosniff')
    // Not no-referrer: with it, browsers send `Origin: null` on the form's POST, which the Origin check refuses.
    .setHeader('Referrer-Policy', 'same-origin')
    .type('text/html; charset=utf-8')
    .send(renderSignInPage(page, nonce));
}

/**
 * Browser sign-in (issue 9): `GET /auth/sign-in` shows the form; `POST /auth/sign-in` checks the
 * password and `POST /auth/sign-in/mfa` the authenticator code, through the same steps as the
 * JSON sign-in (rate limit, lockout, audit, identical refusals); success opens an ordinary session
 * and sets it as an `HttpOnly`, `SameSite=Strict` cookie, then redirects (303) to `next` (a path on
 * this origin only). Every refusal is the form again (HTML), with its status. `POST /auth/sign-out` (CSRF-checked by the authentication middleware) revokes
 * the session and clears the cookie.
 */
export function browserSessionRoutes(deps: AuthDeps): Router {
  const ctx = authContext(deps);
  const { store, settings } = ctx;
  const signIn = new SignInSteps(ctx);
  const router = Router();

  /** A sign-in form posted from another origin (login CSRF) is refused: a fresh form, nothing checked. */
  async function crossOrigin(req: Request, res: Response, action: string, next: string): Promise<boolean> {
    if (originAllowed(req, settings)) return false;
    await signIn.audit(req, res, { action, outcome: 'denied', status: 403, detail: 'cross-origin-request' });
    sendPage(res, 403, { step: 'password', next, message: 'Sign in from this application’s own sign-in page.' });
    return true;
  }

  /** A refusal as the form again: the generic message for a failed sign-in, the wait for 429, what to fix for a malformed form. */
  function refusedPage(res: Response, err: unknown, page: (message: string) => SignInPage): void {
    if (err instanceof ValidationProblem) return sendPage(res, 422, page('Fill in every field.'));
    if (err instanceof ProblemError && err.status === 401) return sendPage(res, 401, page(SIGN_IN_FAILED));
    if (err instanceof ProblemError && err.status === 429) {
      const retry = err.extra.retryAfterSeconds;
      if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
      return sendPage(res, 429, page(err.detail));
    }
    throw err;
  }

  /** The enrolment form for `user`'s new authenticator `secret`, its QR code drawn here as inline SVG (no script, no request). */
  async function enrolPage(user: User, secret: string, challenge: string, next: string, extra: { recoveryCodes?: string[]; message?: string }): Promise<SignInPage> {
    const qrSvg = await QRCode.toString(totpUri(settings.totpIssuer, user.email, secret), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return { step: 'enrol', next, challenge, secret, qrSvg, ...extra };
  }

  /** Opens a session (the same records as the JSON sign-in: timeouts, revocation, audit), sets the cookie and sends the browser on. */
  async function startSession(req: Request, res: Response, user: User, now: number, mfaAt: number | null, action: string, next: string): Promise<void> {
    const { sessionId } = await store.createSession(user.id, now, { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null, mfaAt, refresh: false });
    setSessionCookie(res, settings, await signBrowserSession(deps.secrets.tokenKey, { sub: user.id, sid: sessionId }, now, settings.absoluteTimeoutMs));
    await signIn.audit(req, res, { ...userActor(user), action, outcome: 'success', status: 303, resourceType: 'session', resourceId: sessionId, detail: 'browser' });
    noStore(res);
    res.redirect(303, next);
  }

  router.get(SIGN_IN_PATH, (req, res) => {
    const q = parseOrProblem(SignInQuery, queryOf(req), 'query:', 400);
    sendPage(res, 200, { step: 'password', next: safeNext(q.next) });
  });

  router.post(SIGN_IN_PATH, async (req, res) => {
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(raw.next);
    if (await crossOrigin(req, res, 'auth.login', next)) return;
    const email = typeof raw.email === 'string' ? raw.email.slice(0, 254) : '';
    try {
      await signIn.limit(req, res, 'auth.login');
      const form = parseOrProblem(SignInForm, raw);
      const now = ctx.now();
      const { user, challenge } = await signIn.password(req, res, { email: form.email, password: form.password }, now);
      if (challenge !== null) return sendPage(res, 200, { step: 'code', next, challenge });
      if (settings.mfaRequiredRoles.includes(user.role)) {
        // First sign-in of an account that must use MFA: set up the authenticator here, then its code signs in.
        const { secret, recoveryCodes } = await signIn.enrol(req, res, user);
        const challenge = await signChallenge(deps.secrets.tokenKey, user.id, now, Math.max(ENROL_TTL_MS, settings.challengeTtlMs));
        return sendPage(res, 200, await enrolPage(user, secret, challenge, next, { recoveryCodes }));
      }
      await startSession(req, res, user, now, null, 'auth.login', next);
    } catch (err) {
      refusedPage(res, err, (message) => ({ step: 'password', next, email, message }));
    }
  });

  router.post(SIGN_IN_MFA_PATH, async (req, res) => {
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(raw.next);
    if (await crossOrigin(req, res, 'auth.mfa', next)) return;
    const challenge = typeof raw.challenge === 'string' ? raw.challenge.slice(0, 2048) : '';
    try {
      await signIn.limit(req, res, 'auth.mfa');
      const form = parseOrProblem(SignInMfaForm, raw);
      const now = ctx.now();
      const code = form.code.replace(/\s+/g, '');
      const { user } = await signIn.secondFactor(req, res, { challenge: form.challenge, ...(/^\d{6}$/.test(code) ? { code } : { recoveryCode: form.code }) }, now);
      await startSession(req, res, user, now, now, 'auth.mfa', next);
    } catch (err) {
      // The challenge stays valid for a few minutes: the code can be typed again ("Start again" otherwise).
      refusedPage(res, err, (message) => (challenge ? { step: 'code', next, challenge, message } : { step: 'password', next, message }));
    }
  });

  /**
   * The enrolment form: the challenge from the password step and a code from the new
   * authenticator. Right, the authenticator is in force and the session opens (with MFA proved
   * now); wrong, the form again (the same secret, recovery codes not shown again).
   */
  router.post(SIGN_IN_ENROL_PATH, async (req, res) => {
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(raw.next);
    if (await crossOrigin(req, res, 'auth.mfa-confirm', next)) return;
    try {
      await signIn.limit(req, res, 'auth.mfa-confirm');
      const now = ctx.now();
      const token = typeof raw.challenge === 'string' ? raw.challenge.slice(0, 2048) : '';
      const user = await signIn.challengedUser(req, res, token, now, 'auth.mfa-confirm', 'enrolling');
      const secret = decryptSecret(user.totpSecret!, deps.secrets.dataKey);
      if (!secret) {
        await signIn.audit(req, res, { ...userActor(user), action: 'auth.mfa-confirm', outcome: 'denied', status: 401, detail: 'totp-secret-undecryptable' });
        throw signInFailed();
      }
      // The same secret again (the recovery codes were shown once, with the first form).
      const again = async (status: number, message: string) => sendPage(res, status, await enrolPage(user, secret, token, next, { message }));
      const form = SignInEnrolForm.safeParse(raw);
      if (!form.success) return await again(422, 'Enter the 6-digit code the authenticator shows.');
      if (!(await signIn.confirmEnrolment(req, res, user, form.data.code, now))) {
        return await again(401, 'That code is not right: enter the code the authenticator shows now (its clock must be right).');
      }
      await startSession(req, res, user, now, now, 'auth.mfa-confirm', next);
    } catch (err) {
      refusedPage(res, err, (message) => ({ step: 'password', next, message }));
    }
  });

  router.post(SIGN_OUT_PATH, async (req, res) => {
    const p = res.locals.principal;
    if (!p || p.kind !== 'user' || !p.sessionId) throw new ProblemError(403, 'Not a session', 'Only a signed-in user (not an API key) can do this.', '/problems/not-a-session');
    parseOrProblem(SignOutForm, req.body ?? {});
    await store.revoke(p.sessionId, 'logout', ctx.now());
    await signIn.audit(req, res, { actorKind: 'user', actorId: p.id, actorName: p.name, role: p.role, action: 'auth.logout', outcome: 'success', status: 303, resourceType: 'session', resourceId: p.sessionId, detail: 'browser' });
    clearSessionCookie(res, settings);
    noStore(res);
    res.redirect(303, SIGN_IN_PATH);
  });

  return router;
}
