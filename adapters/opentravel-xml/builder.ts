import type { AvailabilityPush, AvailabilityStatus, CountPush, IsoDate, RatePush } from '../../domain/channels/model';
import type { Instant } from '../../domain/time/instant';
import { otaRoot, type XNode } from './xml';

/**
 * Request bodies for the messages Itinera sends (roots only; client.ts serialises them bare or in
 * a SOAP envelope). Inputs are validated by validate.ts before they get here.
 */

export interface OtaMessage {
  rootName: string;
  root: XNode;
}

/** OTA Inventory Count Type (INV code list): 2 = Available (rooms left to sell). */
export const COUNT_TYPE_AVAILABLE = '2';
/** OTA Unique ID Type (UIT): 14 = Reservation (the channel's id), 10 = Hotel (the property side's, i.e. Itinera's). */
export const UIT_RESERVATION = '14';
export const UIT_HOTEL = '10';
/** UIT 22 = ERSP, the party sending: Itinera. */
const POS = { Source: { RequestorID: { '@Type': '22', '@ID': 'ITINERA' } } };

const sac = (x: { start: IsoDate; end: IsoDate; roomType: string; ratePlan?: string | null }) => ({
  '@Start': x.start,
  '@End': x.end,
  '@InvTypeCode': x.roomType,
  ...(x.ratePlan ? { '@RatePlanCode': x.ratePlan } : {}),
});

const openClose = (closed: boolean) => (closed ? 'Close' : 'Open');

/**
 * Three AvailStatusMessages per status, as the large channel managers expect one restriction per
 * message: the master status with the lengths of stay (Time 0 = no limit), then closed to arrival,
 * then closed to departure.
 */
function availMessages(s: AvailabilityStatus): XNode[] {
  const control = sac(s);
  const r = s.restrictions;
  return [
    {
      StatusApplicationControl: control,
      LengthsOfStay: {
        LengthOfStay: [
          { '@MinMaxMessageType': 'SetMinLOS', '@Time': String(r.minStay ?? 0), '@TimeUnit': 'Day' },
          { '@MinMaxMessageType': 'SetMaxLOS', '@Time': String(r.maxStay ?? 0), '@TimeUnit': 'Day' },
        ],
      },
      RestrictionStatus: { '@Status': openClose(r.stopSell) },
    },
    { StatusApplicationControl: control, RestrictionStatus: { '@Status': openClose(r.closedToArrival), '@Restriction': 'Arrival' } },
    { StatusApplicationControl: control, RestrictionStatus: { '@Status': openClose(r.closedToDeparture), '@Restriction': 'Departure' } },
  ];
}

export function availNotifRQ(push: AvailabilityPush, echoToken: string, now: Instant): OtaMessage {
  return {
    rootName: 'OTA_HotelAvailNotifRQ',
    root: otaRoot({ echoToken, timeStamp: now }, {
      POS,
      AvailStatusMessages: { '@HotelCode': push.hotelCode, AvailStatusMessage: push.statuses.flatMap(availMessages) },
    }),
  };
}

export function invCountNotifRQ(push: CountPush, echoToken: string, now: Instant): OtaMessage {
  return {
    rootName: 'OTA_HotelInvCountNotifRQ',
    root: otaRoot({ echoToken, timeStamp: now }, {
      POS,
      Inventories: {
        '@HotelCode': push.hotelCode,
        Inventory: push.counts.map((c) => ({
          StatusApplicationControl: sac(c),
          InvCounts: { InvCount: [{ '@CountType': COUNT_TYPE_AVAILABLE, '@Count': String(c.count) }] },
        })),
      },
    }),
  };
}

export function rateAmountNotifRQ(push: RatePush, echoToken: string, now: Instant): OtaMessage {
  return {
    rootName: 'OTA_HotelRateAmountNotifRQ',
    root: otaRoot({ echoToken, timeStamp: now }, {
      POS,
      RateAmountMessages: {
        '@HotelCode': push.hotelCode,
        RateAmountMessage: push.rates.map((r) => ({
          StatusApplicationControl: sac(r),
          Rates: {
            Rate: [
              {
                '@CurrencyCode': r.currency,
                BaseByGuestAmts: {
                  BaseByGuestAmt: r.amounts.map((a) => ({ '@NumberOfGuests': String(a.guests), '@AmountAfterTax': a.amount, '@CurrencyCode': r.currency })),
                },
              },
            ],
          },
        })),
      },
    }),
  };
}

export function invCountRQ(hotelCode: string, start: IsoDate, end: IsoDate, echoToken: string, now: Instant): OtaMessage {
  return {
    rootName: 'OTA_HotelInvCountRQ',
    root: otaRoot({ echoToken, timeStamp: now }, {
      POS,
      HotelInvCountRequests: { HotelInvCountRequest: [{ HotelRef: { '@HotelCode': hotelCode }, DateRange: { '@Start': start, '@End': end } }] },
    }),
  };
}

/** Itinera → channel: cancel back a reservation the channel sold that Itinera cannot honour. */
export function cancelResNotifRQ(hotelCode: string, reservationId: string, reason: string, echoToken: string, now: Instant): OtaMessage {
  const at = new Date(now).toISOString();
  return {
    rootName: 'OTA_HotelResNotifRQ',
    root: otaRoot({ echoToken, timeStamp: now }, {
      '@ResStatus': 'Cancel',
      POS,
      HotelReservations: {
        HotelReservation: [
          {
            '@ResStatus': 'Cancel',
            '@LastModifyDateTime': at,
            UniqueID: [{ '@Type': UIT_RESERVATION, '@ID': reservationId }],
            ResGlobalInfo: {
              Comments: { Comment: [{ Text: [reason] }] },
              HotelReservationIDs: { HotelReservationID: [{ '@ResID_Type': UIT_RESERVATION, '@ResID_Value': reservationId }] },
              BasicPropertyInfo: { '@HotelCode': hotelCode },
            },
          },
        ],
      },
    }),
  };
}
