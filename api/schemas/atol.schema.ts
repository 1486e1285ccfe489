import { z } from 'zod';
import { AtolBookingInput, AtolBookingRef, AtolLicenceNumber, AtolRuleSchema } from '../../domain/atol/classification';
import { AtolLicenceInput, AtolLicencePatch } from '../../domain/atol/returns';
import { IsoDate } from '../../domain/schemas/common.schema';

/** POST /finance/atol/classifications: the booking's facts (see the domain schema). */
export const ClassifyAtolBookingRequest = AtolBookingInput;
export type ClassifyAtolBookingRequest = z.input<typeof ClassifyAtolBookingRequest>;

/** POST /finance/atol/rules: a new rule version. */
export const AddAtolRuleRequest = AtolRuleSchema;

export const AtolRulesQuery = z.strictObject({ asOf: IsoDate.optional() });

export const CreateAtolLicenceRequest = AtolLicenceInput;
export const UpdateAtolLicenceRequest = AtolLicencePatch;

export const AtolBookingRefParam = AtolBookingRef;
/** GET /finance/atol/rules/:id: one rule version by its id. */
export const AtolRulePath = z.strictObject({ id: z.uuid('must be an ATOL rule id (a UUID)') });
export const AtolLicenceParam = AtolLicenceNumber;

/**
 * GET /finance/atol/returns: the return of one licence, counting the protected bookings sold under
 * it (records without a licence, from before records kept theirs, count only while the company
 * has a single licence registered).
 */
export const AtolReturnsQuery = z.strictObject({
  licence: AtolLicenceParam,
  year: z
    .string()
    .regex(/^\d{4}$/, 'must be a four-digit year, e.g. "2027"')
    .transform(Number)
    .refine((y) => y >= 2000 && y <= 2100, 'must be between 2000 and 2100'),
  format: z.enum(['json', 'csv']).default('json'),
});
