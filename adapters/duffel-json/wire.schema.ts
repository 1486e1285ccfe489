import { z } from 'zod';

/**
 * Zod over Duffel-style JSON (`Duffel-Version: v2`): every response body the adapter reads, and the
 * request bodies the sandbox front reads. Amounts are decimal STRINGS ("512.30"): a JSON number in
 * an amount is refused, never read through a float. Segment times are local, without an offset.
 * These types never leave adapters/duffel-json (and the sandbox front that speaks the same wire).
 *
 * The response schemas describe what Itinera CONSUMES from Duffel, not all of Duffel's API: each
 * field here is one mapper.ts or adapter.ts reads, with its checks. Fields present on the wire but
 * not consumed are left out (zod objects strip unknown keys, so they are neither checked nor kept):
 * validating them cost about a fifth of zod's time on an offers page. Each schema lists them in a
 * "Present on the wire, not consumed" note (and README.md); reading one later means adding it here,
 * with its checks, first.
 */

const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;
const SIGNED_DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;
/** `YYYY-MM-DDTHH:mm[:ss]`, no offset: Duffel's `departing_at` / `arriving_at`. */
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
/** RFC 3339 with an offset or Z (`expires_at`, `created_at`). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const WireAmount = z.string().regex(DECIMAL, 'must be a decimal string such as "512.30"');
export const WireSignedAmount = z.string().regex(SIGNED_DECIMAL, 'must be a decimal string such as "-12.30"');
export const WireCurrency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code');
export const WireInstant = z.string().regex(INSTANT, 'must be an RFC 3339 date-time with an offset');
export const WireLocalTime = z.string().regex(LOCAL_TIME, 'must be a local date-time YYYY-MM-DDTHH:mm[:ss]');
export const WireDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/**
 * An airport or city. Present on the wire, not consumed: `type`, `name`, `time_zone` (the zone
 * comes from domain/flights/airports.ts, never from the payload), `city`, coordinates.
 */
export const WirePlace = z.object({ iata_code: z.string().min(1) });

/** An airline (`owner`, `marketing_carrier`, `operating_carrier`). Present, not consumed: `name`, `logo_*`, `id`. */
export const WireCarrier = z.object({ iata_code: z.string().min(1) });

export const WireCabinClass = z.enum(['economy', 'premium_economy', 'business', 'first']);

/** Present on the wire, not consumed: `cabin_class_marketing_name`, `baggages`, `cabin`. */
export const WireSegmentPassenger = z.object({
  passenger_id: z.string().min(1),
  cabin_class: WireCabinClass,
  fare_basis_code: z.string().min(1),
  /** Not in every aggregator's answer: the RBD; absent, the fare basis's first letter is used. */
  booking_class: z.string().nullish(),
});

/**
 * Present on the wire, not consumed: `id`, `duration` (computed from the zoned instants),
 * `operating_carrier_flight_number`, `distance`, terminals, `stops[].*` (only their count is read).
 */
export const WireSegment = z.object({
  origin: WirePlace,
  destination: WirePlace,
  departing_at: WireLocalTime,
  arriving_at: WireLocalTime,
  marketing_carrier: WireCarrier,
  marketing_carrier_flight_number: z.string().regex(/^\d{1,4}[A-Z]?$/, 'must be a flight number'),
  operating_carrier: WireCarrier.nullish(),
  /** `iata_code`, else `name`, becomes `Segment.aircraft`. */
  aircraft: z.object({ iata_code: z.string().nullish(), name: z.string().nullish() }).nullish(),
  /** Only the count is read: each stop must be an object, its fields are not consumed. */
  stops: z.array(z.object({})).default([]),
  passengers: z.array(WireSegmentPassenger).min(1),
  /** Sandbox/aggregator extension: seats left in this segment's booking class. */
  available_seats: z.number().int().nonnegative().nullish(),
});

/**
 * A slice as offers (and change offers' added slices) are read. Present on the wire, not consumed:
 * `id` (on an offer), `duration` (computed), `fare_brand_name`, `conditions`.
 */
export const WireSlice = z.object({
  origin: WirePlace,
  destination: WirePlace,
  segments: z.array(WireSegment).min(1),
});
/** A slice the adapter names again later (an order's, a change offer's removed one): `id` is consumed. */
export const WireSliceWithId = WireSlice.extend({ id: z.string().min(1) });

export const WireCondition = z
  .object({
    allowed: z.boolean(),
    penalty_amount: WireAmount.nullish(),
    penalty_currency: WireCurrency.nullish(),
  })
  .nullable();

export const WireConditions = z.object({
  refund_before_departure: WireCondition.optional(),
  change_before_departure: WireCondition.optional(),
});

export const WirePassengerType = z.enum(['adult', 'child', 'infant_without_seat']);

export const WireOfferPassenger = z.object({
  id: z.string().min(1),
  type: WirePassengerType.nullish(),
  age: z.number().int().nonnegative().nullish(),
});

/** Present on the wire, not consumed: `price_guarantee_expires_at` (an offer's `expires_at` bounds it). */
export const WirePaymentRequirements = z.object({
  requires_instant_payment: z.boolean(),
  payment_required_by: WireInstant.nullish(),
});

/** The price fields offers and orders share: totals as decimal strings, each with its currency. */
const WirePriceFields = {
  total_amount: WireAmount,
  total_currency: WireCurrency,
  base_amount: WireAmount,
  base_currency: WireCurrency,
  tax_amount: WireAmount,
  tax_currency: WireCurrency,
  owner: WireCarrier,
};

/**
 * One offer (offers page, `GET /air/offers/:id`). Present on the wire, not consumed: `live_mode`,
 * `created_at`, `owner.name`, `updated_at`, `total_emissions_kg`, `partial`, `available_services`,
 * `payment_requirements.price_guarantee_expires_at`, and in slices/segments/places what is noted there.
 * Offers pages are checked first by this schema exported as JSON Schema and compiled by Ajv
 * (compiled-check.ts): it follows any change here, and a construct that cannot be exported exactly
 * leaves the page to zod alone.
 */
export const WireOffer = z.object({
  id: z.string().min(1),
  expires_at: WireInstant,
  ...WirePriceFields,
  slices: z.array(WireSlice).min(1),
  passengers: z.array(WireOfferPassenger).min(1),
  conditions: WireConditions,
  payment_requirements: WirePaymentRequirements,
});
export type WireOffer = z.infer<typeof WireOffer>;
export type WireSlice = z.infer<typeof WireSlice>;
export type WireSegment = z.infer<typeof WireSegment>;
export type WireConditions = z.infer<typeof WireConditions>;

/**
 * Present on the wire, not consumed: `live_mode`, `created_at`, `cabin_class`, `passengers`, `slices`
 * (the adapter reads the id, then pages `GET /air/offers`; the offers' own passengers are read).
 */
export const WireOfferRequest = z.object({
  id: z.string().min(1),
  offers: z.array(WireOffer).default([]),
});

export const WirePageMeta = z.object({
  limit: z.number().int().positive(),
  after: z.string().nullable(),
  before: z.string().nullable(),
});
export type WirePageMeta = z.infer<typeof WirePageMeta>;

export const WireOrderPassenger = z.object({
  id: z.string().min(1),
  type: WirePassengerType.nullish(),
  title: z.enum(['mr', 'mrs', 'ms', 'miss', 'mstr', 'dr']).nullish(),
  given_name: z.string().min(1),
  family_name: z.string().min(1),
  born_on: WireDate,
  gender: z.enum(['m', 'f', 'x']).nullish(),
  email: z.string().nullish(),
  phone_number: z.string().nullish(),
  infant_passenger_id: z.string().nullish(),
  identity_documents: z
    .array(
      z.object({
        type: z.literal('passport'),
        unique_identifier: z.string().min(1),
        issuing_country_code: z.string().regex(/^[A-Z]{2}$/),
        expires_on: WireDate,
        nationality: z.string().nullish(),
      }),
    )
    .default([]),
});
export type WireOrderPassenger = z.infer<typeof WireOrderPassenger>;

export const WireDocument = z.object({
  type: z.enum(['electronic_ticket', 'electronic_miscellaneous_document_associated', 'electronic_miscellaneous_document_standalone']),
  unique_identifier: z.string().regex(/^\d{13}$/, 'must be a 13-digit document number'),
  passenger_ids: z.array(z.string()).min(1),
  /** EMDs: what it pays for and how much (aggregator extension). */
  reason: z.string().nullish(),
  amount: WireAmount.nullish(),
  currency: WireCurrency.nullish(),
});

export const WireOrder = z.object({
  id: z.string().min(1),
  live_mode: z.boolean().optional(),
  booking_reference: z.string().min(1),
  created_at: WireInstant,
  type: z.enum(['instant', 'hold']).optional(),
  cancelled_at: WireInstant.nullish(),
  /** Aggregator extension: set when a change was confirmed. */
  changed_at: WireInstant.nullish(),
  ...WirePriceFields,
  slices: z.array(WireSliceWithId).min(1),
  passengers: z.array(WireOrderPassenger).min(1),
  conditions: WireConditions,
  payment_status: z.object({
    awaiting_payment: z.boolean(),
    payment_required_by: WireInstant.nullish(),
    price_guarantee_expires_at: WireInstant.nullish(),
    paid_at: WireInstant.nullish(),
  }),
  documents: z.array(WireDocument).default([]),
  metadata: z.record(z.string(), z.string()).nullish(),
});
export type WireOrder = z.infer<typeof WireOrder>;

export const WirePayment = z.object({
  id: z.string().min(1),
  type: z.string(),
  amount: WireAmount,
  currency: WireCurrency,
  created_at: WireInstant,
  order_id: z.string().optional(),
});

export const WireOrderCancellation = z.object({
  id: z.string().min(1),
  order_id: z.string().min(1),
  refund_amount: WireAmount,
  refund_currency: WireCurrency,
  refund_to: z.string().min(1),
  expires_at: WireInstant,
  confirmed_at: WireInstant.nullish(),
  created_at: WireInstant.optional(),
});

export const WireChangeOffer = z.object({
  id: z.string().min(1),
  order_change_id: z.string().nullish(),
  change_total_amount: WireSignedAmount,
  change_total_currency: WireCurrency,
  new_total_amount: WireAmount,
  new_total_currency: WireCurrency,
  penalty_total_amount: WireAmount,
  penalty_total_currency: WireCurrency,
  expires_at: WireInstant,
  refund_to: z.string().nullish(),
  slices: z.object({ add: z.array(WireSlice).min(1), remove: z.array(WireSliceWithId) }),
});

export const WireOrderChangeRequest = z.object({
  id: z.string().min(1),
  order_id: z.string().min(1),
  created_at: WireInstant.optional(),
  order_change_offers: z.array(WireChangeOffer),
});

export const WireOrderChange = z.object({
  id: z.string().min(1),
  order_id: z.string().min(1),
  selected_order_change_offer: z.string().nullish(),
  change_total_amount: WireSignedAmount,
  change_total_currency: WireCurrency,
  new_total_amount: WireAmount,
  new_total_currency: WireCurrency,
  penalty_total_amount: WireAmount,
  penalty_total_currency: WireCurrency,
  expires_at: WireInstant,
  confirmed_at: WireInstant.nullish(),
});

export const WireError = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  code: z.string(),
  documentation_url: z.string().optional(),
  source: z.object({ field: z.string().optional(), pointer: z.string().optional() }).optional(),
});

export const WireErrorBody = z.object({
  meta: z.object({ status: z.number().int(), request_id: z.string().optional() }).optional(),
  errors: z.array(WireError).min(1),
});
export type WireErrorBody = z.infer<typeof WireErrorBody>;

/** `{ data: T }` */
export const envelope = <T extends z.ZodType>(data: T) => z.object({ data });
/** `{ data: T[], meta: { after, before, limit } }` */
export const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), meta: WirePageMeta });

export const OfferRequestResponse = envelope(WireOfferRequest);
export const OffersPageResponse = page(WireOffer);
/**
 * The same page with its offers left to check one by one with {@link WireOffer} (mapper.ts
 * `mapOffersPage`): together the two are exactly {@link OffersPageResponse}, but each offer's
 * validated copy can be mapped and dropped at once instead of the whole page's copy living on.
 */
export const OffersPageEnvelope = page(z.unknown());
export const OfferResponse = envelope(WireOffer);
export const OrderResponse = envelope(WireOrder);
export const OrdersPageResponse = page(WireOrder);
export const PaymentResponse = envelope(WirePayment);
export const OrderCancellationResponse = envelope(WireOrderCancellation);
export const OrderChangeRequestResponse = envelope(WireOrderChangeRequest);
export const OrderChangeResponse = envelope(WireOrderChange);

// ---- request bodies (what the adapter sends, what the sandbox front reads) ----

export const WireOfferRequestBody = z.object({
  data: z.object({
    slices: z.array(z.object({ origin: z.string().min(3), destination: z.string().min(3), departure_date: WireDate })).min(1),
    passengers: z.array(z.object({ type: WirePassengerType.optional(), age: z.number().int().nonnegative().optional() })).min(1),
    cabin_class: WireCabinClass,
  }),
});

const WirePaymentIn = z.object({ type: z.literal('balance'), amount: WireAmount, currency: WireCurrency });

export const WireCreateOrderBody = z.object({
  data: z.object({
    type: z.enum(['instant', 'hold']),
    selected_offers: z.array(z.string().min(1)).length(1),
    passengers: z.array(WireOrderPassenger.omit({ type: true })).min(1),
    payments: z.array(WirePaymentIn).optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  }),
});

export const WirePaymentBody = z.object({ data: z.object({ order_id: z.string().min(1), payment: WirePaymentIn }) });
export const WireCancellationBody = z.object({ data: z.object({ order_id: z.string().min(1) }) });
export const WireChangeRequestBody = z.object({
  data: z.object({
    order_id: z.string().min(1),
    slices: z.object({
      remove: z.array(z.object({ slice_id: z.string().min(1) })).min(1),
      add: z.array(z.object({ origin: z.string().min(3), destination: z.string().min(3), departure_date: WireDate, cabin_class: WireCabinClass })).min(1),
    }),
  }),
});
export const WireOrderChangeBody = z.object({ data: z.object({ selected_order_change_offer: z.string().min(1) }) });
export const WireConfirmChangeBody = z.object({ data: z.object({ payment: WirePaymentIn }) });
