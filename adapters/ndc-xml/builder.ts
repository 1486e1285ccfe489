import { XMLBuilder } from 'fast-xml-parser';
import type { ChangeRequest, CreateOrderRequest, FlightSearch, OrderPassenger, Cabin } from '../../domain/flights/model';
import type { MoneyJson } from '../../domain/money/money';
import { ndcNamespace, ndcRootName, type NdcVersion } from './wire.schema';

/** Request XML for each NDC message this adapter sends. Builder options fixed once. */
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: false, suppressEmptyNode: true, suppressBooleanAttributes: false });

type Node = Record<string, unknown>;

export const CABIN_CODES: Record<Cabin, string> = { ECONOMY: 'M', PREMIUM_ECONOMY: 'W', BUSINESS: 'C', FIRST: 'F' };

const amount = (m: MoneyJson) => ({ '#text': m.amount, '@CurCode': m.currency });

function envelope(version: NdcVersion, message: string, request: Node): string {
  const root = ndcRootName(version, message);
  const body: Node = {
    '@xmlns': ndcNamespace(version, message),
    ...(version === '17.2' ? { '@Version': '17.2' } : {}),
    PayloadAttributes: { VersionNumber: version },
    Party: { Sender: { TravelAgency: { AgencyID: 'ITINERA', Name: 'Itinera' } } },
    Request: request,
  };
  return builder.build({ '?xml': { '@version': '1.0', '@encoding': 'UTF-8' }, [root]: body }) as string;
}

export function airShoppingRQ(version: NdcVersion, search: FlightSearch): string {
  return envelope(version, 'AirShoppingRQ', {
    FlightRequest: {
      OriginDestRequest: search.slices.map((s) => ({
        OriginDepRequest: { IATA_LocationCode: s.origin, Date: s.departureDate },
        DestArrivalRequest: { IATA_LocationCode: s.destination },
      })),
    },
    Paxs: { Pax: search.passengers.map((p, i) => ({ PaxID: `PAX${i + 1}`, PTC: p.type, ...(p.age !== undefined ? { AgeMeasure: String(p.age) } : {}) })) },
    ShoppingCriteria: { CabinTypeCriteria: { CabinTypeCode: CABIN_CODES[search.cabin] } },
    ...(search.maxOffers !== undefined ? { ResponseParameters: { ResultsLimit: { MaximumNumber: String(search.maxOffers) } } } : {}),
  });
}

export function offerPriceRQ(version: NdcVersion, offerId: string): string {
  return envelope(version, 'OfferPriceRQ', { PricedOffer: { SelectedOfferList: { SelectedOffer: { OfferRefID: offerId } } } });
}

function paxNode(p: OrderPassenger): Node {
  return {
    PaxID: p.id,
    PTC: p.type,
    ...(p.infantOf ? { PaxRefID: p.infantOf } : {}),
    Individual: { ...(p.title ? { TitleName: p.title } : {}), GivenName: p.givenName, Surname: p.familyName, Birthdate: p.bornOn, ...(p.gender ? { GenderCode: p.gender } : {}) },
    ...(p.email || p.phone
      ? { ContactInfo: { ...(p.email ? { EmailAddress: { EmailAddressText: p.email } } : {}), ...(p.phone ? { Phone: { PhoneNumber: p.phone } } : {}) } }
      : {}),
    ...(p.passport
      ? {
          IdentityDoc: {
            IdentityDocID: p.passport.number,
            IdentityDocTypeCode: 'PT',
            IssuingCountryCode: p.passport.issuingCountry,
            ExpiryDate: p.passport.expiresOn,
            ...(p.passport.nationality ? { CitizenshipCountryCode: p.passport.nationality } : {}),
          },
        }
      : {}),
  };
}

const payment = (amt: MoneyJson, reference: string) => ({ PaymentFunctions: { PaymentProcessingDetails: { TypeCode: 'CA', Amount: amount(amt), PaymentRefID: reference } } });

/** The caller's idempotency reference travels in an AugmentationPoint the gateway echoes in the Order. */
export function orderCreateRQ(version: NdcVersion, req: CreateOrderRequest): string {
  return envelope(version, 'OrderCreateRQ', {
    CreateOrder: { SelectedOffer: { OfferRefID: req.offerId } },
    DataLists: { PaxList: { Pax: req.passengers.map(paxNode) } },
    ...(req.payment.kind === 'instant' ? payment(req.payment.amount, req.reference) : {}),
    AugmentationPoint: { ItineraReference: req.reference },
  });
}

export function orderRetrieveRQ(version: NdcVersion, by: { orderId: string } | { reference: string }): string {
  return envelope(version, 'OrderRetrieveRQ', {
    OrderFilterCriteria: 'orderId' in by ? { Order: { OrderID: by.orderId } } : { AugmentationPoint: { ItineraReference: by.reference } },
  });
}

/** Refund quote (cancellation) or change offers for an order. */
export function orderReshopRQ(version: NdcVersion, req: { refundOrderId: string } | ChangeRequest): string {
  if ('refundOrderId' in req) {
    return envelope(version, 'OrderReshopRQ', {
      Order: { OrderID: req.refundOrderId },
      UpdateOrder: { ReshopOrder: { ServiceOrder: { DeleteOrderItem: { AllOrderItemsInd: 'true' } } } },
    });
  }
  return envelope(version, 'OrderReshopRQ', {
    Order: { OrderID: req.orderId },
    UpdateOrder: {
      ReshopOrder: {
        ServiceOrder: {
          AddOfferItems: {
            OriginDestRequest: req.slices.map((s) => ({
              ReplacedJourneyIndex: String(s.replaceIndex),
              OriginDepRequest: { IATA_LocationCode: s.with.origin, Date: s.with.departureDate },
              DestArrivalRequest: { IATA_LocationCode: s.with.destination },
            })),
          },
        },
      },
    },
  });
}

/** Pay a held order (no quote), accept a change quote, or (21.3) accept a refund quote = cancel. */
export function orderChangeRQ(
  version: NdcVersion,
  req: { pay: { orderId: string; amount: MoneyJson; reference: string } } | { acceptChange: { quoteId: string; amount: MoneyJson; reference: string } } | { acceptRefund: { quoteId: string; reference: string } },
): string {
  if ('pay' in req) return envelope(version, 'OrderChangeRQ', { Order: { OrderID: req.pay.orderId }, ...payment(req.pay.amount, req.pay.reference) });
  if ('acceptChange' in req) {
    const c = req.acceptChange;
    return envelope(version, 'OrderChangeRQ', {
      ChangeOrder: { AcceptSelectedQuotedOfferList: { SelectedPricedOffer: { OfferRefID: c.quoteId } } },
      ...payment(c.amount, c.reference),
    });
  }
  const r = req.acceptRefund;
  return envelope(version, 'OrderChangeRQ', { ChangeOrder: { CancelOrder: { RefundQuoteRefID: r.quoteId } }, AugmentationPoint: { ItineraReference: r.reference } });
}

/** 17.2 / 19.2 cancellation: confirms the refund quote from OrderReshop. */
export function orderCancelRQ(version: NdcVersion, quoteId: string, reference: string): string {
  return envelope(version, 'OrderCancelRQ', { RefundQuoteRefID: quoteId, AugmentationPoint: { ItineraReference: reference } });
}
