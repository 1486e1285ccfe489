import { parse as parseCookies } from 'cookie';
import type { CookieOptions, Request, Response } from 'express';
import type { AuthSettings } from './authenticate';

/**
 * Browser sessions (issue 9): the pieces the authentication middleware and the sign-in routes
 * share. A person signs in through the HTML form (`GET /auth/sign-in`); the session it opens is an
 * ordinary session row (idle and absolute timeouts, revocation, audit), carried by an `HttpOnly`,
 * `SameSite=Strict` cookie instead of a bearer token. Unsafe requests made with the cookie must
 * carry the session's CSRF token and, when they name one, come from the app's own origin.
 */

export const SIGN_IN_PATH = '/auth/sign-in';
export const SIGN_IN_MFA_PATH = '/auth/sign-in/mfa';
/** First sign-in of an account that must use MFA: the new authenticator's code puts it in force. */
export const SIGN_IN_ENROL_PATH = '/auth/sign-in/enrol';
export const SIGN_OUT_PATH = '/auth/sign-out';
/** The HTML forms post to these paths (`application/x-www-form-urlencoded`). */
export const FORM_PATHS: ReadonlySet<string> = new Set([SIGN_IN_PATH, SIGN_IN_MFA_PATH, SIGN_IN_ENROL_PATH, SIGN_OUT_PATH]);
/** Where a browser goes after signing in when it asked for nothing else (or for something refused). */
export const DEFAULT_NEXT = '/reports/dashboard';
/** Where cookie-authenticated scripts send the CSRF token... */
export const CSRF_HEADER = 'x-csrf-token';
/** ...and the hidden field HTML forms carry it in. */
export const CSRF_FIELD = '_csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isUnsafeMethod = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

declare module 'express-serve-static-core' {
  interface Locals {
    /** Set when the request was authenticated by the session cookie: the token its pages embed for unsafe requests. */
    csrfToken?: string;
  }
}

type CookieSettings = Pick<AuthSettings, 'cookieSecure'>;

/** `__Host-` (Secure, Path=/, no Domain: no other host can plant it) unless the app is on plain http for local development. */
export function sessionCookieName(settings: CookieSettings): string {
  return settings.cookieSecure ? '__Host-itinera_session' : 'itinera_session';
}

/** The cookie of that name in the request, if any. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookies(header)[name] : undefined;
}

function cookieOptions(settings: CookieSettings): CookieOptions {
  return { path: '/', httpOnly: true, sameSite: 'strict', secure: settings.cookieSecure };
}

/** A session cookie (no Max-Age: it goes when the browser closes; the server enforces the timeouts). */
export function setSessionCookie(res: Response, settings: CookieSettings, value: string): void {
  res.cookie(sessionCookieName(settings), value, cookieOptions(settings));
}

export function clearSessionCookie(res: Response, settings: CookieSettings): void {
  res.cookie(sessionCookieName(settings), '', { ...cookieOptions(settings), maxAge: 0 });
}

/** The app's own origin: the configured public URL's, else the request's (scheme and Host). */
export function ownOrigin(req: Request, settings: Pick<AuthSettings, 'publicOrigin'>): string {
  return settings.publicOrigin ?? `${req.protocol}://${req.get('host') ?? ''}`;
}

/** True unless the request names an `Origin` other than the app's own (`null` included). */
export function originAllowed(req: Request, settings: Pick<AuthSettings, 'publicOrigin'>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).origin === new URL(ownOrigin(req, settings)).origin;
  } catch {
    return false;
  }
}

const PROBE_ORIGIN = 'http://itinera.invalid';

/**
 * Where to send a browser after signing in: a path on this origin only (`/reports/dashboard?x=1`),
 * never another host (`https://evil.example`, `//evil.example`, `/\evil.example`), a scheme, or
 * the sign-in pages themselves; anything else is the dashboard.
 */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return DEFAULT_NEXT;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(value)) return DEFAULT_NEXT;
  try {
    const url = new URL(value, PROBE_ORIGIN);
    if (url.origin !== PROBE_ORIGIN || url.pathname.startsWith('/auth/sign-')) return DEFAULT_NEXT;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return DEFAULT_NEXT;
  }
}

/** The sign-in form's address, coming back to `next` afterwards. */
export function signInUrl(next?: string): string {
  return next === undefined ? SIGN_IN_PATH : `${SIGN_IN_PATH}?next=${encodeURIComponent(safeNext(next))}`;
}

/** Whether the client names `text/html` among what it accepts (browsers do; API clients, and `*\/*`, do not). */
export function wantsHtml(req: Request): boolean {
  const accept = req.headers.accept;
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (type !== 'text/html') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** The CSRF token a cookie-authenticated request sent: the header, or the form's hidden field. */
export function sentCsrfToken(req: Request): unknown {
  const header = req.headers[CSRF_HEADER];
  if (header !== undefined) return header;
  if (req.is('application/x-www-form-urlencoded') && typeof req.body === 'object' && req.body !== null) return (req.body as Record<string, unknown>)[CSRF_FIELD];
  return undefined;
}
