import { z } from 'zod';
import { AtolBookingInput, AtolBookingRef, AtolRuleSchema } from '../../domain/atol/classification';
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
export const AtolLicenceParam = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/, 'must be 1-16 letters, digits and -');

export const AtolReturnsQuery = z.strictObject({
  licence: AtolLicenceParam,
  year: z
    .string()
    .regex(/^\d{4}$/, 'must be a four-digit year, e.g. "2027"')
    .transform(Number)
    .refine((y) => y >= 2000 && y <= 2100, 'must be between 2000 and 2100'),
  format: z.enum(['json', 'csv']).default('json'),
});
