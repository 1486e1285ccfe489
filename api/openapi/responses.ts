import { z } from 'zod';
import { CalendarDay, DecimalText, EpochMs, Instant, MoneyView } from '../schemas/answer.schema';
import { GRANTS, PERMISSIONS, ROLES } from '../../domain/access/roles';
import { ATOL_CLASSIFICATIONS, AtolCriteria } from '../../domain/atol/classification';
import { COMMISSION_BASES } from '../../domain/commission/commission';
import { PRODUCT_TYPES, SALES_CHANNELS } from '../../domain/ledger/chart';

/**
 * Response shapes of the issue 9 routes. Each mirrors exactly what its handler answers: auth tokens
 * (api/routes/auth.routes.ts), `userView` / `apiKeyView` (users.routes.ts), `JournalEntryView`
 * (journal-entries.routes.ts), `AuditEventView` (activities/audit-log.prisma.ts), the finance
 * resources a 201 points at with its Location (stored rates, ATOL rule versions, commission
 * schedules, sub-agents, commission records). Strict objects, parsed against the real answers in
 * the API tests (auth, audit, journal-entries, finance, atol, commissions), so a field the handler
 * adds or drops fails a test; only an audit event's `before` / `after` are free-form JSON.
 */

const Role = z.enum(ROLES);
const Permission = z.enum(PERMISSIONS);

const AccessToken = {
  tokenType: z.literal('Bearer'),
  accessToken: z.string().meta({ description: 'A short-lived JWT: send it as `Authorization: Bearer <token>`' }),
  expiresIn: z.number().int().min(0).meta({ description: 'Seconds until the access token expires' }),
};
const Session = {
  refreshToken: z.string().meta({ description: 'Single use: POST /auth/refresh rotates it; a reused one ends the session' }),
  sessionId: z.string(),
};

export const TokensResponse = z.strictObject({
  ...AccessToken,
  ...Session,
  mfaEnrolmentRequired: z.boolean().meta({ description: 'The role requires MFA and the user has not enrolled yet (POST /auth/mfa/enrol)' }),
});

export const LoginResponse = z.discriminatedUnion('mfaRequired', [
  z.strictObject({ mfaRequired: z.literal(false), ...TokensResponse.shape }),
  z.strictObject({
    mfaRequired: z.literal(true),
    challenge: z.string().meta({ description: 'Send it with a code to POST /auth/mfa' }),
    expiresIn: z.number().int().min(0).meta({ description: 'Seconds until the challenge expires' }),
  }),
]);

export const RefreshResponse = z.strictObject({ ...AccessToken, ...Session });

export const StepUpResponse = z.strictObject({ ...AccessToken, mfaAt: Instant.meta({ description: 'When MFA was last proved: the step-up window starts here' }) });

export const MfaEnrolResponse = z.strictObject({
  secret: z.string().meta({ description: 'The TOTP secret (base32), shown once' }),
  otpauthUri: z.string().meta({ description: '`otpauth://totp/...` for a QR code' }),
  recoveryCodes: z.array(z.string()).meta({ description: 'One-time recovery codes, shown once' }),
  confirmWith: z.string(),
});

export const MfaConfirmResponse = z.strictObject({ mfaEnabled: z.literal(true) });

export const MeResponse = z.strictObject({
  kind: z.enum(['user', 'api-key']),
  id: z.string(),
  name: z.string(),
  email: z.string().optional().meta({ description: 'Users only' }),
  displayName: z.string().optional(),
  mfaEnabled: z.boolean().optional(),
  recoveryCodesLeft: z.number().int().min(0).optional(),
  role: Role.nullable(),
  permissions: z.array(Permission),
  branch: z.string().nullable(),
  allBranches: z.boolean(),
  advisorId: z.string().nullable(),
  sessionId: z.string().optional().meta({ description: 'Signed-in users only' }),
  mfaAt: Instant.nullable().optional(),
});

export const UserView = z.strictObject({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: Role,
  branch: z.string().nullable(),
  advisorId: z.string().nullable(),
  grants: z.array(z.enum(GRANTS)),
  ipAllowlist: z.array(z.string()),
  disabled: z.boolean(),
  mfaEnabled: z.boolean(),
  recoveryCodesLeft: z.number().int().min(0),
  failedLogins: z.number().int().min(0),
  lockedUntil: Instant.nullable(),
  version: z.number().int().min(0),
  createdAt: Instant,
  updatedAt: Instant,
});

export const ApiKeyView = z.strictObject({
  id: z.string(),
  name: z.string(),
  scopes: z.array(Permission),
  ipAllowlist: z.array(z.string()),
  createdBy: z.string().nullable(),
  createdAt: Instant,
  expiresAt: Instant.nullable(),
  lastUsedAt: Instant.nullable(),
  revokedAt: Instant.nullable(),
});

export const IssuedApiKey = z.strictObject({ ...ApiKeyView.shape, token: z.string().meta({ description: 'The key, shown only in this answer: send it as `X-Api-Key`' }) });

export const RolePolicyView = z.strictObject({
  role: Role,
  permissions: z.array(Permission),
  allBranches: z.boolean(),
  mfaRequired: z.boolean(),
  ipAllowlist: z.array(z.string()),
  version: z.number().int().min(0),
});

export const RoleAllowlistView = z.strictObject({ role: Role, ipAllowlist: z.array(z.string()), version: z.number().int().min(0) });

export const AuditEventView = z.strictObject({
  id: z.string(),
  at: Instant,
  actorKind: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  role: z.string().nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  method: z.string(),
  path: z.string(),
  action: z.string(),
  resourceType: z.string().nullable(),
  resourceId: z.string().nullable(),
  outcome: z.string(),
  status: z.number().int().min(0),
  category: z.string(),
  before: z.unknown().meta({ description: 'The resource before the change (master data and financial actions), or null: free-form JSON' }),
  after: z.unknown().meta({ description: 'The resource after the change, or null: free-form JSON' }),
  detail: z.string().nullable(),
});

export const JournalEntryView = z.strictObject({
  id: z.uuid(),
  reference: z.string().meta({ description: 'The caller’s reference (manual entries), or the ledger key of the entry' }),
  kind: z.string(),
  description: z.string(),
  date: CalendarDay,
  postedAt: Instant,
  bookingRef: z.string().nullable(),
  reversesId: z.uuid().nullable().meta({ description: 'The entry this one reverses' }),
  lines: z.array(z.strictObject({ account: z.string(), side: z.enum(['DEBIT', 'CREDIT']), amount: MoneyView })),
});

/** POST /finance/rates: the rate as sent, and whether it was stored now. */
export const ManualRateView = z.strictObject({
  source: z.string(),
  base: z.string(),
  quote: z.string(),
  rate: DecimalText.meta({ description: 'Units of `quote` for one `base`, as sent' }),
  rateDate: CalendarDay,
  created: z.boolean().meta({ description: 'false: the same rate was already stored' }),
});

/** `StoredRate` (activities/fx-rates.prisma.ts): one rate as stored. */
export const StoredRateView = z.strictObject({
  source: z.string(),
  base: z.string(),
  quote: z.string(),
  rate: DecimalText.meta({ description: 'Units of `quote` for one `base`' }),
  rateDate: CalendarDay,
  importedAt: EpochMs,
  importedBy: z.string().nullable(),
});

/** `AtolRuleView` (activities/atol.prisma.ts): one rule version. */
export const AtolRuleView = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  priority: z.number().int(),
  effectiveFrom: CalendarDay,
  effectiveTo: CalendarDay.nullable(),
  criteria: AtolCriteria,
  classification: z.enum(ATOL_CLASSIFICATIONS),
});

const CommissionTerms = {
  basis: z.enum(COMMISSION_BASES),
  rate: DecimalText.nullable().meta({ description: 'PERCENT: percentage of the sale' }),
  fixedAmount: DecimalText.nullable().meta({ description: 'FIXED: amount per booking in the schedule’s currency' }),
};

/** `StoredSchedule` (activities/commissions.prisma.ts): a schedule version with its tiers by threshold. */
export const CommissionScheduleView = z.strictObject({
  id: z.uuid(),
  supplier: z.string(),
  productType: z.enum(PRODUCT_TYPES).nullable().meta({ description: 'null: every product type of the supplier' }),
  validFrom: CalendarDay,
  validTo: CalendarDay.nullable(),
  ...CommissionTerms,
  currency: z.string().nullable(),
  tiers: z.array(z.strictObject({ threshold: DecimalText, ...CommissionTerms })),
  createdAt: EpochMs,
});

/** `SubAgentView` (activities/commissions.prisma.ts). */
export const SubAgentView = z.strictObject({ code: z.string(), name: z.string(), rate: DecimalText.meta({ description: 'Percentage of agent-channel sales' }), isActive: z.boolean() });

/** `CommissionRecordView` (activities/commissions.prisma.ts) with `noSchedule`, as the commission routes answer it. */
export const CommissionRecordView = z.strictObject({
  id: z.uuid(),
  bookingRef: z.string(),
  supplier: z.string(),
  productType: z.enum(PRODUCT_TYPES),
  channel: z.enum(SALES_CHANNELS),
  saleDate: CalendarDay,
  saleAmount: MoneyView,
  scheduleId: z.uuid().nullable(),
  tierThreshold: DecimalText.nullable(),
  commission: MoneyView,
  subAgentCode: z.string().nullable(),
  subAgentCommission: MoneyView.nullable(),
  entryId: z.uuid().nullable().meta({ description: 'null when nothing was posted' }),
  createdAt: EpochMs,
  noSchedule: z.boolean().meta({ description: 'true: no schedule was in force, the commission is zero' }),
});
