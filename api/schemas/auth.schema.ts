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
