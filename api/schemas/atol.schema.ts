import { z } from 'zod';
import { ATOL_CLASSIFICATIONS, AtolBookingInput, AtolBookingRef, AtolLicenceNumber, AtolRuleSchema } from '../../domain/atol/classification';
import { AtolLicenceInput, AtolLicencePatch } from '../../domain/atol/returns';
import { IsoDate } from '../../domain/schemas/common.schema';
import { AtolRuleView } from '../openapi/responses';
import { CalendarDay, DecimalText, EpochMs, MoneyView, PageView } from './answer.schema';

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

// ---------------------------------------------------------------------------------------------
// Answers (OpenAPI response schemas; atol.api.test.ts parses the real answers with them). Each
// mirrors activities/atol.prisma.ts and domain/atol/returns.ts as api/routes/atol.routes.ts sends it.

const Classification = z.enum(ATOL_CLASSIFICATIONS);

/** `AtolRecordView`: a booking's classification as recorded. */
export const AtolRecordView = z
  .strictObject({
    bookingRef: z.string(),
    licenceNumber: z.string().nullable().meta({ description: 'The licence it is sold under; null outside ATOL without a single licence in force' }),
    bookingDate: CalendarDay.nullable(),
    factsHash: z.string().nullable().meta({ description: 'sha256 of the booking facts: a repeat must match it' }),
    classification: Classification,
    ruleId: z.string().nullable(),
    sellerCountry: z.string(),
    passengers: z.number().int(),
    departureDate: CalendarDay,
    revenue: MoneyView,
    contribution: MoneyView.nullable().meta({ description: 'The APC posted; null when not protected' }),
    entryId: z.string().nullable(),
    classifiedAt: EpochMs,
  })
  .meta({ id: 'AtolRecord' });

/** `POST /finance/atol/classifications`: the classification, the rule that decided it, the APC posted, and the record. */
export const AtolClassificationResponse = z
  .strictObject({
    bookingRef: z.string(),
    classification: Classification,
    protected: z.boolean().meta({ description: 'PACKAGE or FLIGHT_ONLY: ATOL-protected, the APC is due' }),
    licenceNumber: z.string().nullable(),
    rule: z.strictObject({ id: z.string(), name: z.string() }),
    contribution: MoneyView.nullable(),
    entryId: z.string().nullable().meta({ description: 'The journal entry of the APC' }),
    record: AtolRecordView,
  })
  .meta({ id: 'AtolClassification' });

/** `GET /finance/atol/rules`. */
export const AtolRulesResponse = z
  .strictObject({
    asOf: CalendarDay.nullable(),
    rules: z.array(AtolRuleView).meta({ description: 'Every version; with `asOf`, those in force that day in evaluation order' }),
    contributionRates: z.array(z.strictObject({ effectiveFrom: CalendarDay, perPassenger: DecimalText, currency: z.string() })).meta({ description: 'The APC per passenger from each date' }),
  })
  .meta({ id: 'AtolRules' });

/** `AtolLicenceView`. */
export const AtolLicenceView = z
  .strictObject({
    number: z.string(),
    holder: z.string(),
    turnoverBand: z.string(),
    returnFrequency: z.enum(['MONTHLY', 'QUARTERLY']),
    validFrom: CalendarDay,
    validTo: CalendarDay.nullable(),
  })
  .meta({ id: 'AtolLicence' });
export const AtolLicencePageResponse = PageView(AtolLicenceView);

const PeriodFigures = z.strictObject({
  period: z.string().meta({ description: '"2027-03" for a month, "2027-Q1" for a quarter, the year for the total' }),
  startsOn: CalendarDay,
  endsOn: CalendarDay,
  bookings: z.number().int().meta({ description: 'Protected bookings departing in the period' }),
  passengers: z.strictObject({ package: z.number().int(), flightOnly: z.number().int(), total: z.number().int() }),
  revenue: z.array(z.strictObject({ currency: z.string(), package: DecimalText, flightOnly: DecimalText, total: DecimalText })).meta({ description: 'One row per currency; currencies are never added together' }),
  apcDue: z.array(MoneyView),
});

/** `PassengerReturn`: the CAA passenger return of a licence for a year (departure-date basis). */
export const AtolReturnResponse = z
  .strictObject({
    licence: z.strictObject({ number: z.string(), holder: z.string(), returnFrequency: z.enum(['MONTHLY', 'QUARTERLY']) }),
    year: z.number().int(),
    basis: z.literal('departure-date'),
    periods: z.array(PeriodFigures),
    total: PeriodFigures,
  })
  .meta({ id: 'AtolPassengerReturn' });
