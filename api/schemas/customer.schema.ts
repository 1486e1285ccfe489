import { z } from 'zod';
import { CUSTOMER_STATUSES } from '../../domain/customers/model';

/**
 * Customer 360 requests (issue 8): the customer list and search, a customer's trips, advisor
 * routing look-ups and reassignment. Query problems are 400 naming the parameter; body problems 422.
 */

const ALWAYS = { when: () => true };
const Text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const Limit = (max: number, dflt: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`).default(dflt);
const Cursor = z.string().min(1).max(512).regex(/^[A-Za-z0-9_-]+$/, 'must be a nextCursor this endpoint returned');

/** Customer and advisor ids: UUIDs for customers, legacy codes for advisors. */
export const EntityId = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'may contain only letters, digits and . _ : - (starting with a letter or digit)');

export const CustomerPath = z.strictObject({ id: EntityId });

export const CustomerListQuery = z.strictObject({
  q: Text(200).optional().meta({ description: 'A name prefix, an email, a phone or a passport number' }),
  name: Text(200).optional().meta({ description: 'Prefix of "last first" or "first last"; accents and case ignored' }),
  email: Text(254).optional(),
  phone: Text(40).optional().meta({ description: 'Any format; read in the operator country when it has no +country code' }),
  passport: Text(20).optional(),
  advisorId: EntityId.optional(),
  status: z.enum(CUSTOMER_STATUSES, { message: `must be one of ${CUSTOMER_STATUSES.join(', ')}` }).optional(),
  cursor: Cursor.optional(),
  limit: Limit(200, 50),
});
export type CustomerListQuery = z.infer<typeof CustomerListQuery>;

export const TripListQuery = z.strictObject({ cursor: Cursor.optional(), limit: Limit(200, 50) });

export const ContactLookupQuery = z
  .strictObject({ email: Text(254).optional(), phone: Text(40).optional(), passport: Text(20).optional() })
  .superRefine((v, ctx) => {
    if (v.email === undefined && v.phone === undefined && v.passport === undefined) ctx.addIssue({ code: 'custom', path: ['email'], message: 'give email, phone or passport' });
  }, ALWAYS);
export type ContactLookupQuery = z.infer<typeof ContactLookupQuery>;

export const ReassignAdvisorRequest = z.strictObject({
  advisorId: EntityId,
  reason: Text(200),
});
export type ReassignAdvisorRequest = z.infer<typeof ReassignAdvisorRequest>;

export const AdvisorListQuery = z.strictObject({
  active: z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true').optional(),
});
