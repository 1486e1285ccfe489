import { z } from 'zod';
import { checkAmount, Money, type MoneyJson } from '../../domain/money/money';
import { isCurrencyCode } from '../../domain/money/currency';

/**
 * The NDC-style XML this adapter reads, as zod over fast-xml-parser's output (namespace prefixes
 * removed, attributes as `@Name`, every value a string, repeatable elements always arrays). Wire
 * types stay in this folder: mapper.ts turns them into domain types.
 */

export const NDC_VERSIONS = ['17.2', '19.2', '21.3'] as const;
export type NdcVersion = (typeof NDC_VERSIONS)[number];

/** The default namespace a message of `version` carries (root element `IATA_<Message>`, or `<Message>` in 17.2). */
export function ndcNamespace(version: NdcVersion, message: string): string {
  if (version === '17.2') return 'http://www.iata.org/IATA/EDIST/2017.2';
  if (version === '19.2') return `http://www.iata.org/IATA/2015/00/2019.2/IATA_${message}`;
  return 'http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersMessage';
}

/** Root element name of `message` (e.g. `AirShoppingRS`) in `version`. */
export function ndcRootName(version: NdcVersion, message: string): string {
  return version === '17.2' ? message : `IATA_${message}`;
}

/** Every element that may repeat: always read as an array, even when it occurs once. */
export const REPEATABLE = new Set([
  'Offer', 'OfferItem', 'PaxSegment', 'PaxJourney', 'Pax', 'Tax', 'TicketDocInfo', 'Ticket', 'Error', 'Warning',
  'PaxSegmentRefID', 'PaxJourneyRefID', 'PaxRefID', 'FareComponent', 'Penalty', 'PenaltyRefID', 'SeatAvailability',
  'DatedOperatingLeg', 'IdentityDoc', 'OriginDestRequest', 'OrderItem', 'Coupon',
]);

const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

const text = (what = 'text') => z.string({ error: `${what} is missing` }).trim().min(1, `${what} is empty`);
/** An empty element (`<X/>`, read as '') counts as absent; keeps zod's issue paths (a union would lose them). */
const blank = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === '' ? undefined : v), schema);
const bool = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

/** An `<X CurCode="GBP">149.90</X>` amount → exact MoneyJson (currency's decimals), never a float. */
export const WireAmount = z
  .object({ '#text': z.string({ error: 'amount text is missing' }), '@CurCode': z.string({ error: 'CurCode attribute is missing' }) })
  .superRefine((v, ctx) => {
    if (!isCurrencyCode(v['@CurCode'])) ctx.addIssue({ code: 'custom', path: ['@CurCode'], message: `"${v['@CurCode']}" is not an ISO 4217 currency` });
    else if (!DECIMAL.test(v['#text'])) ctx.addIssue({ code: 'custom', path: ['#text'], message: `"${v['#text']}" is not a decimal amount` });
    else for (const p of checkAmount(v['#text'], v['@CurCode'])) ctx.addIssue({ code: 'custom', path: ['#text'], message: p.message });
  })
  .transform((v): MoneyJson => Money.of(v['#text'], v['@CurCode']).toJSON());

/** An instant with a zone designator (`2027-03-01T10:00:00Z`) → epoch ms. */
export const WireInstant = z
  .string({ error: 'date-time is missing' })
  .regex(INSTANT, 'must be an ISO date-time with Z or an offset')
  .refine((s) => Number.isFinite(Date.parse(s)), 'not a real date-time')
  .transform((s) => Date.parse(s));

/** `<Error Code="X">text</Error>` (17.2) or `<Error><Code>X</Code><DescText>text</DescText></Error>` (19.2/21.3). */
export const WireError = z.union([
  z.string().transform((t) => ({ code: '', text: t, newTotal: undefined as string | undefined, curCode: undefined as string | undefined })),
  z.object({ '@Code': z.string().optional(), Code: z.string().optional(), '#text': z.string().optional(), DescText: z.string().optional(), '@NewTotal': z.string().optional(), '@CurCode': z.string().optional() })
    .transform((e) => ({ code: e['@Code'] ?? e.Code ?? '', text: e.DescText ?? e['#text'] ?? '', newTotal: e['@NewTotal'], curCode: e['@CurCode'] })),
]);
export type WireError = z.infer<typeof WireError>;

const Location = z.object({ IATA_LocationCode: text('IATA_LocationCode'), AircraftScheduledDateTime: text('AircraftScheduledDateTime') });

export const WirePaxSegment = z.object({
  PaxSegmentID: text('PaxSegmentID'),
  Dep: Location,
  Arrival: Location,
  MarketingCarrierInfo: z.object({ CarrierDesigCode: text('CarrierDesigCode'), MarketingCarrierFlightNumberText: text('MarketingCarrierFlightNumberText') }),
  OperatingCarrierInfo: z.object({ CarrierDesigCode: text('CarrierDesigCode') }).optional(),
  CabinType: z.object({ CabinTypeCode: text('CabinTypeCode') }),
  RBD_Code: text('RBD_Code'),
  DatedOperatingLeg: z.array(z.preprocess((v) => (v === '' ? {} : v), z.object({ IATA_AircraftType: z.object({ IATA_AircraftTypeCode: z.string() }).optional() }))).optional(),
});
export type WirePaxSegment = z.infer<typeof WirePaxSegment>;

export const WirePaxJourney = z.object({ PaxJourneyID: text('PaxJourneyID'), PaxSegmentRefID: z.array(text('PaxSegmentRefID')).min(1) });

export const WirePenalty = z.object({
  PenaltyID: text('PenaltyID'),
  TypeCode: z.enum(['Change', 'Cancel'], { error: 'TypeCode must be Change or Cancel' }),
  AllowedInd: bool,
  PenaltyAmount: WireAmount.optional(),
});

export const WirePax = z.object({
  PaxID: text('PaxID'),
  PTC: z.enum(['ADT', 'CHD', 'INF'], { error: 'PTC must be ADT, CHD or INF' }),
  PaxRefID: z.array(text()).optional(),
  Individual: z
    .object({ TitleName: z.string().optional(), GivenName: text('GivenName'), Surname: text('Surname'), Birthdate: text('Birthdate'), GenderCode: z.string().optional() })
    .optional(),
  ContactInfo: z.object({ EmailAddress: z.object({ EmailAddressText: z.string() }).optional(), Phone: z.object({ PhoneNumber: z.string() }).optional() }).optional(),
  IdentityDoc: z
    .array(z.object({ IdentityDocID: text('IdentityDocID'), IdentityDocTypeCode: z.string(), IssuingCountryCode: text('IssuingCountryCode'), ExpiryDate: text('ExpiryDate'), CitizenshipCountryCode: z.string().optional() }))
    .optional(),
});
export type WirePax = z.infer<typeof WirePax>;

export const WireDataLists = z.object({
  PaxList: z.object({ Pax: z.array(WirePax) }).optional(),
  PaxJourneyList: z.object({ PaxJourney: z.array(WirePaxJourney) }).optional(),
  PaxSegmentList: z.object({ PaxSegment: z.array(WirePaxSegment) }).optional(),
  PenaltyList: z.object({ Penalty: z.array(WirePenalty) }).optional(),
});
export type WireDataLists = z.infer<typeof WireDataLists>;

const Price = z.object({
  TotalAmount: WireAmount,
  BaseAmount: WireAmount,
  TaxSummary: blank(z.object({ Tax: z.array(z.object({ Amount: WireAmount, TaxCode: text('TaxCode') })) }).optional()),
});

/** What an OfferItem and an OrderItem share: the price of ONE passenger of the referenced type, and the fare detail. */
const FareItem = {
  /** Price of ONE passenger of the referenced type (the offer/order total is the sum over PaxRefIDs). */
  Price,
  FareDetail: z.object({
    PaxRefID: z.array(text('PaxRefID')).min(1, 'at least one PaxRefID'),
    FareComponent: z.array(z.object({ FareBasisCode: text('FareBasisCode') })).min(1, 'at least one FareComponent'),
  }),
};
export type WireFareItem = z.infer<z.ZodObject<typeof FareItem>>;

export const WireOfferItem = z.object({ OfferItemID: text('OfferItemID'), ...FareItem });

/** An order's per-passenger-type fare (same Price/FareDetail layout as an OfferItem). */
export const WireOrderItem = z.object({ OrderItemID: text('OrderItemID'), ...FareItem });

export const WireOffer = z.object({
  OfferID: text('OfferID'),
  OwnerCode: text('OwnerCode'),
  OfferExpirationDateTime: WireInstant,
  PaymentTimeLimitDateTime: WireInstant.optional(),
  InstantPaymentRequiredInd: bool,
  TotalPrice: z.object({ TotalAmount: WireAmount }),
  PaxJourneyRefID: z.array(text('PaxJourneyRefID')).min(1, 'at least one PaxJourneyRefID'),
  PenaltyRefID: z.array(text('PenaltyRefID')).optional(),
  SeatAvailability: z.array(z.object({ RBD_Code: text('RBD_Code'), SeatsLeftQty: z.string().regex(/^\d+$/, 'SeatsLeftQty must be a whole number') })).optional(),
  OfferItem: z.array(WireOfferItem).min(1, 'at least one OfferItem'),
});
export type WireOffer = z.infer<typeof WireOffer>;

const Notices = { Error: z.array(WireError).optional(), Errors: z.object({ Error: z.array(WireError) }).optional(), Warning: z.array(WireError).optional() };

/** AirShoppingRS / OfferPriceRS body. */
export const WireOffersResponse = z.object({
  ...Notices,
  Response: z
    .object({
      Warning: z.array(WireError).optional(),
      PreviousTotalAmount: WireAmount.optional(),
      DataLists: WireDataLists,
      OffersGroup: blank(z.object({ CarrierOffers: blank(z.object({ Offer: z.array(WireOffer) }).optional()) }).optional()),
    })
    .optional(),
});
export type WireOffersResponse = z.infer<typeof WireOffersResponse>;

export const WireTicketDocInfo = z.object({
  PaxRefID: z.array(text('PaxRefID')).min(1),
  Ticket: z.array(
    z.object({
      TicketNumber: z.string().regex(/^\d{13}$/, 'TicketNumber must be 13 digits'),
      TicketDocTypeCode: z.string(),
      ReasonText: z.string().optional(),
      Amount: WireAmount.optional(),
      /** Ticket document status (carrier-defined code, open set); absent on older gateways. */
      TicketStatusCode: blank(text('TicketStatusCode').optional()),
      /** Coupon statuses (I open, E exchanged, V void, RF refunded, F flown…; open set). */
      Coupon: z.array(z.object({ CouponNumber: z.string().optional(), CouponStatusCode: blank(text('CouponStatusCode').optional()) })).optional(),
      /** Exchanged tickets: the number issued in their place. */
      ExchangedForTicketNumber: blank(z.string().regex(/^\d{13}$/, 'ExchangedForTicketNumber must be 13 digits').optional()),
    }),
  ),
});

export const WireOrder = z.object({
  OrderID: text('OrderID'),
  OwnerCode: text('OwnerCode'),
  StatusCode: text('StatusCode'),
  BookingRef: z.object({ BookingID: text('BookingID') }),
  CreationDateTime: WireInstant,
  TotalPrice: z.object({ TotalAmount: WireAmount, BaseAmount: WireAmount, TotalTaxAmount: WireAmount }),
  PaymentTimeLimitDateTime: WireInstant.optional(),
  PriceGuaranteeTimeLimitDateTime: WireInstant.optional(),
  AugmentationPoint: blank(z.object({ ItineraReference: z.string().optional() }).optional()),
  PaxJourneyRefID: z.array(text('PaxJourneyRefID')).optional(),
  PenaltyRefID: z.array(text('PenaltyRefID')).optional(),
  /** Per passenger type, with the tax breakdown; absent from gateways that give only order totals. */
  OrderItem: z.array(WireOrderItem).optional(),
});

/** OrderViewRS / OrderCancelRS body. */
export const WireOrderResponse = z.object({
  ...Notices,
  Response: z.object({ Warning: z.array(WireError).optional(), Order: WireOrder, TicketDocInfo: z.array(WireTicketDocInfo).optional(), DataLists: WireDataLists }).optional(),
});
export type WireOrderResponse = z.infer<typeof WireOrderResponse>;

const ReshopOffer = z.object({
  OfferID: text('OfferID'),
  OfferExpirationDateTime: WireInstant,
  PaxJourneyRefID: z.array(text('PaxJourneyRefID')).optional(),
  ReshopDifferential: z.object({
    FareDifferenceAmount: WireAmount.optional(),
    PenaltyAmount: WireAmount,
    ReshopDueAmount: WireAmount.optional(),
    RefundAmount: WireAmount.optional(),
    RefundMethodText: z.string().optional(),
  }),
});

/** OrderReshopRS body (change offers or a refund quote). */
export const WireReshopResponse = z.object({
  ...Notices,
  Response: z
    .object({
      Warning: z.array(WireError).optional(),
      ReshopResults: z.object({ ReshopOffers: z.object({ Offer: z.array(ReshopOffer).min(1, 'at least one reshop Offer') }) }),
      DataLists: WireDataLists.optional(),
    })
    .optional(),
});
export type WireReshopResponse = z.infer<typeof WireReshopResponse>;
