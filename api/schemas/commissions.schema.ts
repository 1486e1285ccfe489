import { z } from 'zod';
import { BOOKING_REF_PATTERN, COMMISSION_BASES, PARTY_CODE_PATTERN } from '../../domain/commission/commission';
import { Dec } from '../../domain/money/money';
import { PRODUCT_TYPES, SALES_CHANNELS } from '../../domain/ledger/chart';
import { CurrencyCode, IsoDate, Money } from '../../domain/schemas/common.schema';
import { PageQueryShape } from './page.schema';

/**
 * Commission schedules, sub-agents and sales. Shapes and formats are checked here; rules across
 * fields (basis vs rate/fixedAmount, date order, unique thresholds, overlaps) by the domain, whose
 * problems come back as 422/409 with the same JSON Pointers.
 */

const PartyCode = z.string().regex(PARTY_CODE_PATTERN, 'must be 1-64 letters, digits, . _ - (starting with a letter or digit)');
const Percentage = z
  .string()
  .regex(/^(0|[1-9]\d*)(\.\d{1,4})?$/, 'must be a decimal percentage string with at most 4 decimals, e.g. "12.5"')
  .meta({ description: 'Percentage of the sale as a decimal string, never a JSON number', examples: ['10', '12.5'] });
const DecimalAmount = z
  .string()
  .regex(/^(0|[1-9]\d*)(\.\d{1,4})?$/, 'must be a non-negative decimal string, e.g. "25.00"')
  .meta({ description: 'Decimal string, never a JSON number' });
/** Range check beside the format check: a string that is not a number is reported by the format alone. */
function atMost100(text: string): boolean {
  try {
    return new Dec(text).lessThanOrEqualTo(100);
  } catch {
    return true;
  }
}
const Basis = z.enum(COMMISSION_BASES);
const ProductType = z.enum(PRODUCT_TYPES);

const Tier = z.strictObject({
  threshold: DecimalAmount.meta({ description: 'Volume (sum of earlier sales under the schedule, sale currency) from which the tier applies' }),
  basis: Basis,
  rate: Percentage.optional(),
  fixedAmount: DecimalAmount.optional(),
});

export const CreateCommissionScheduleRequest = z.strictObject({
  supplier: PartyCode,
  productType: ProductType.nullable().default(null).meta({ description: 'null or absent: every product type of the supplier' }),
  validFrom: IsoDate,
  validTo: IsoDate.nullable().default(null).meta({ description: 'Last day (inclusive); null or absent: open-ended' }),
  basis: Basis,
  rate: Percentage.optional(),
  fixedAmount: DecimalAmount.optional(),
  currency: CurrencyCode.optional().meta({ description: 'Currency of the fixed amounts; required when the schedule or a tier is FIXED' }),
  tiers: z.array(Tier).max(50, 'at most 50 tiers').default([]),
});
export type CreateCommissionScheduleRequest = z.infer<typeof CreateCommissionScheduleRequest>;

export const CommissionScheduleQuery = z.strictObject({
  supplier: PartyCode.optional(),
  productType: ProductType.optional(),
  activeOn: IsoDate.optional(),
  ...PageQueryShape,
});

/** GET /finance/commission-schedules/:id */
export const CommissionSchedulePath = z.strictObject({ id: z.uuid('must be a commission schedule id (a UUID)') });

export const CreateSubAgentRequest = z.strictObject({
  code: PartyCode,
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  rate: Percentage.refine(atMost100, 'must be at most 100').meta({ description: 'Percentage of agent-channel sales the sub-agent earns (0-100)' }),
});

/** GET /finance/sub-agents/:code */
export const SubAgentPath = z.strictObject({ code: PartyCode });

export const RecordCommissionRequest = z.strictObject({
  bookingRef: z.string().regex(BOOKING_REF_PATTERN, 'must be 1-32 letters, digits, . _ - (starting with a letter or digit)'),
  supplier: PartyCode,
  productType: ProductType,
  channel: z.enum(SALES_CHANNELS),
  saleDate: IsoDate,
  saleAmount: Money,
  subAgentCode: PartyCode.optional().meta({ description: 'Agent-channel sales only: the sub-agent who sold it' }),
});
export type RecordCommissionRequest = z.infer<typeof RecordCommissionRequest>;

export const CommissionsQuery = z.strictObject({
  bookingRef: z.string().regex(BOOKING_REF_PATTERN, 'must be a booking reference, e.g. "ITN-7K3M9QXZ"'),
  ...PageQueryShape,
});

/** GET /finance/commissions/:id: one commission record by its id. */
export const CommissionRecordPath = z.strictObject({ id: z.uuid('must be a commission record id (a UUID)') });
