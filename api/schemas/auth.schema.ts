import { z } from 'zod';

/** Sign-in, MFA and session requests (issue 9). Unknown fields are refused (422). */

const Email = z.string().trim().min(3, 'must be an e-mail address').max(254, 'must be at most 254 characters');
const Secret = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
export const TotpCode = z.string().regex(/^\d{6}$/, 'must be the 6-digit code of your authenticator');
const RecoveryCode = z.string().trim().min(10, 'must be one of your recovery codes').max(20, 'must be one of your recovery codes');

export const LoginRequest = z.strictObject({ email: Email, password: Secret(256) });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const MfaLoginRequest = z
  .strictObject({
    challenge: Secret(2048).meta({ description: 'The challenge POST /auth/login answered' }),
    code: TotpCode.optional(),
    recoveryCode: RecoveryCode.optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.code === undefined) === (v.recoveryCode === undefined)) ctx.addIssue({ code: 'custom', path: ['code'], message: 'give either code or recoveryCode' });
  });
export type MfaLoginRequest = z.infer<typeof MfaLoginRequest>;

export const RefreshRequest = z.strictObject({ refreshToken: Secret(200) });
export const CodeRequest = z.strictObject({ code: TotpCode });
export const EmptyRequest = z.strictObject({});
export const ChangePasswordRequest = z.strictObject({ current: Secret(256), next: Secret(256) });

/**
 * The browser's sign-in forms (HTML, `application/x-www-form-urlencoded`; JSON is read the same
 * way). `next` is where to go afterwards: a path on this origin, anything else means the dashboard.
 */
const Next = z.string().max(2048, 'must be at most 2048 characters').optional().meta({ description: 'A path on this origin to go to afterwards (default /reports/dashboard)' });
export const SignInQuery = z.strictObject({ next: Next });
export const SignInForm = z.strictObject({ email: Email, password: Secret(256), next: Next });
export const SignInMfaForm = z.strictObject({
  challenge: Secret(2048).meta({ description: 'The challenge the password step put in the form' }),
  code: z.string().trim().min(1, 'must not be empty').max(20, 'must be at most 20 characters').meta({ description: 'The 6-digit TOTP code, or a recovery code' }),
  next: Next,
});
export const SignInEnrolForm = z.strictObject({
  challenge: Secret(2048).meta({ description: 'The challenge the password step put in the form' }),
  code: z.string().trim().regex(/^\d{6}$/, 'must be the 6-digit code the new authenticator shows').meta({ description: 'A code from the authenticator just set up' }),
  next: Next,
});
export const SignOutForm = z.strictObject({ _csrf: z.string().max(128).optional().meta({ description: 'The session’s CSRF token (or send the X-CSRF-Token header)' }) });
