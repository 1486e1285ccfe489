import type {
  ChannelInventorySnapshot,
  ChannelWarning,
  CountPush,
  IsoDate,
  OtaProblem,
  RatePush,
  StayRestrictions,
} from '../../domain/channels/model';
import { COUNT_TYPE_AVAILABLE, UIT_RESERVATION } from './builder';
import { readProblems } from './mapper';
import { attr, child, children, otaRoot, parseOta, serialise, text, XmlSyntaxError, type OtaDocument, type WsseCredentials, type XNode } from './xml';

/**
 * The channel's side of the messages Itinera sends: decode an OTA_Hotel*NotifRQ / InvCountRQ back
 * to domain values and build the channel's answers. Used by the sandbox hub and by the round-trip
 * tests; it reads what builder.ts writes (and the same messages from other senders). Decoding
 * throws XmlSyntaxError naming the path of what is wrong.
 */

export type ChannelRequest =
  | { message: 'OTA_HotelAvailNotifRQ'; echoToken: string | null; push: AvailabilityPushUpdate }
  | { message: 'OTA_HotelInvCountNotifRQ'; echoToken: string | null; push: CountPush }
  | { message: 'OTA_HotelRateAmountNotifRQ'; echoToken: string | null; push: RatePush }
  | { message: 'OTA_HotelInvCountRQ'; echoToken: string | null; hotelCode: string; start: IsoDate; end: IsoDate }
  | { message: 'OTA_HotelResNotifRQ'; echoToken: string | null; hotelCode: string; reservationId: string; status: string; reason: string | null };

/**
 * An availability push as the channel received it: restrictions a message set (a partial update;
 * builder.ts always sets all five, spread over three messages for the same key).
 */
export interface AvailabilityPushUpdate {
  hotelCode: string;
  statuses: { roomType: string; ratePlan: string | null; start: IsoDate; end: IsoDate; restrictions: Partial<StayRestrictions> }[];
}

export interface DecodedChannelRequest {
  request: ChannelRequest;
  wsse: WsseCredentials | null;
  soap: '1.1' | '1.2' | null;
}

const bad = (path: string, what: string) => new XmlSyntaxError(`${what} (at ${path})`, path);

function need(node: XNode | undefined, name: string, path: string): string {
  const v = attr(node, name);
  if (v === undefined) throw bad(`${path}/@${name}`, `${name} is missing`);
  return v;
}

function control(node: XNode, path: string) {
  const sac = child(node, 'StatusApplicationControl');
  const p = `${path}/StatusApplicationControl`;
  if (!sac) throw bad(p, 'StatusApplicationControl is missing');
  return {
    roomType: attr(sac, 'InvTypeCode') ?? attr(sac, 'InvCode') ?? need(sac, 'InvTypeCode', p),
    ratePlan: attr(sac, 'RatePlanCode') ?? null,
    start: need(sac, 'Start', p),
    end: need(sac, 'End', p),
  };
}

function whole(raw: string, path: string): number {
  if (!/^\d+$/.test(raw)) throw bad(path, `"${raw}" is not a whole number`);
  return Number(raw);
}

function decodeAvail(root: XNode, path: string): AvailabilityPushUpdate {
  const group = child(root, 'AvailStatusMessages');
  const hotelCode = need(group, 'HotelCode', `${path}/AvailStatusMessages`);
  const byKey = new Map<string, AvailabilityPushUpdate['statuses'][number]>();
  children(group, 'AvailStatusMessage').forEach((m, i) => {
    const mPath = `${path}/AvailStatusMessages/AvailStatusMessage[${i}]`;
    const key = control(m, mPath);
    const id = `${key.roomType}|${key.ratePlan ?? ''}|${key.start}|${key.end}`;
    const entry = byKey.get(id) ?? { ...key, restrictions: {} };
    byKey.set(id, entry);
    for (const los of children(child(m, 'LengthsOfStay'), 'LengthOfStay')) {
      const time = whole(attr(los, 'Time') ?? '', `${mPath}/LengthsOfStay/LengthOfStay/@Time`);
      const type = attr(los, 'MinMaxMessageType');
      if (type === 'SetMinLOS') entry.restrictions.minStay = time === 0 ? null : time;
      else if (type === 'SetMaxLOS') entry.restrictions.maxStay = time === 0 ? null : time;
    }
    for (const rs of children(m, 'RestrictionStatus')) {
      const status = attr(rs, 'Status');
      if (status !== 'Open' && status !== 'Close') throw bad(`${mPath}/RestrictionStatus/@Status`, `"${status}" is not Open or Close`);
      const closed = status === 'Close';
      const restriction = attr(rs, 'Restriction') ?? 'Master';
      if (restriction === 'Arrival') entry.restrictions.closedToArrival = closed;
      else if (restriction === 'Departure') entry.restrictions.closedToDeparture = closed;
      else entry.restrictions.stopSell = closed;
    }
  });
  return { hotelCode, statuses: [...byKey.values()] };
}

function decodeCounts(root: XNode, path: string): CountPush {
  const groups = children(root, 'Inventories');
  const hotelCode = need(groups[0], 'HotelCode', `${path}/Inventories`);
  const counts = groups.flatMap((g, gi) =>
    children(g, 'Inventory').map((inv, i) => {
      const p = `${path}/Inventories[${gi}]/Inventory[${i}]`;
      const key = control(inv, p);
      const c = children(child(inv, 'InvCounts'), 'InvCount').find((x) => (attr(x, 'CountType') ?? COUNT_TYPE_AVAILABLE) === COUNT_TYPE_AVAILABLE);
      if (!c) throw bad(`${p}/InvCounts/InvCount`, 'no InvCount with CountType 2 (available)');
      return { roomType: key.roomType, start: key.start, end: key.end, count: whole(attr(c, 'Count') ?? '', `${p}/InvCounts/InvCount/@Count`) };
    }),
  );
  return { hotelCode, counts };
}

function decodeRates(root: XNode, path: string): RatePush {
  const group = child(root, 'RateAmountMessages');
  const hotelCode = need(group, 'HotelCode', `${path}/RateAmountMessages`);
  const rates = children(group, 'RateAmountMessage').flatMap((m, i) => {
    const p = `${path}/RateAmountMessages/RateAmountMessage[${i}]`;
    const key = control(m, p);
    if (!key.ratePlan) throw bad(`${p}/StatusApplicationControl/@RatePlanCode`, 'RatePlanCode is missing');
    return children(child(m, 'Rates'), 'Rate').map((rate, r) => {
      const amts = children(child(rate, 'BaseByGuestAmts'), 'BaseByGuestAmt');
      const rPath = `${p}/Rates/Rate[${r}]`;
      const currency = attr(rate, 'CurrencyCode') ?? need(amts[0], 'CurrencyCode', `${rPath}/BaseByGuestAmts/BaseByGuestAmt[0]`);
      return {
        roomType: key.roomType,
        ratePlan: key.ratePlan!,
        start: key.start,
        end: key.end,
        currency,
        amounts: amts.map((a, j) => {
          const aPath = `${rPath}/BaseByGuestAmts/BaseByGuestAmt[${j}]`;
          const cur = attr(a, 'CurrencyCode');
          if (cur !== undefined && cur !== currency) throw bad(`${aPath}/@CurrencyCode`, `${cur} differs from the rate's ${currency}`);
          return { guests: whole(need(a, 'NumberOfGuests', aPath), `${aPath}/@NumberOfGuests`), amount: need(a, 'AmountAfterTax', aPath) };
        }),
      };
    });
  });
  return { hotelCode, rates };
}

/** Decodes one request a channel receives from Itinera (bare or SOAP, with its UsernameToken). */
export function decodeChannelRequest(xml: string): DecodedChannelRequest {
  const doc: OtaDocument = parseOta(xml);
  const { root, rootPath: path } = doc;
  const echoToken = attr(root, 'EchoToken') ?? null;
  const envelope = { wsse: doc.wsse, soap: doc.soap };
  switch (doc.rootName) {
    case 'OTA_HotelAvailNotifRQ':
      return { request: { message: doc.rootName, echoToken, push: decodeAvail(root, path) }, ...envelope };
    case 'OTA_HotelInvCountNotifRQ':
      return { request: { message: doc.rootName, echoToken, push: decodeCounts(root, path) }, ...envelope };
    case 'OTA_HotelRateAmountNotifRQ':
      return { request: { message: doc.rootName, echoToken, push: decodeRates(root, path) }, ...envelope };
    case 'OTA_HotelInvCountRQ': {
      const req = children(child(root, 'HotelInvCountRequests'), 'HotelInvCountRequest')[0];
      const p = `${path}/HotelInvCountRequests/HotelInvCountRequest[0]`;
      return {
        request: { message: doc.rootName, echoToken, hotelCode: need(child(req, 'HotelRef'), 'HotelCode', `${p}/HotelRef`), start: need(child(req, 'DateRange'), 'Start', `${p}/DateRange`), end: need(child(req, 'DateRange'), 'End', `${p}/DateRange`) },
        ...envelope,
      };
    }
    case 'OTA_HotelResNotifRQ': {
      const res = children(child(root, 'HotelReservations'), 'HotelReservation')[0];
      const p = `${path}/HotelReservations/HotelReservation[0]`;
      const info = child(res, 'ResGlobalInfo');
      const uid = children(res, 'UniqueID').find((u) => attr(u, 'Type') === UIT_RESERVATION) ?? children(res, 'UniqueID')[0];
      const comment = children(child(info, 'Comments'), 'Comment')[0];
      return {
        request: {
          message: doc.rootName,
          echoToken,
          hotelCode: need(child(info, 'BasicPropertyInfo'), 'HotelCode', `${p}/ResGlobalInfo/BasicPropertyInfo`),
          reservationId: need(uid, 'ID', `${p}/UniqueID`),
          status: attr(res, 'ResStatus') ?? need(root, 'ResStatus', path),
          reason: text(children(comment, 'Text')[0]) ?? null,
        },
        ...envelope,
      };
    }
    default:
      throw bad(path, `unexpected message ${doc.rootName}`);
  }
}

const RESPONSE_OF: Record<ChannelRequest['message'], string> = {
  OTA_HotelAvailNotifRQ: 'OTA_HotelAvailNotifRS',
  OTA_HotelInvCountNotifRQ: 'OTA_HotelInvCountNotifRS',
  OTA_HotelRateAmountNotifRQ: 'OTA_HotelRateAmountNotifRS',
  OTA_HotelInvCountRQ: 'OTA_HotelInvCountRS',
  OTA_HotelResNotifRQ: 'OTA_HotelResNotifRS',
};

const errorNode = (e: OtaProblem) => ({ '@Type': e.type, '@Code': e.code, '@ShortText': e.message.slice(0, 64), '#text': e.message });

/**
 * The channel's answer to a request: Success (+ Warnings, + the counts for an InvCountRQ) or
 * Errors, echoing `echoToken`; in a SOAP 1.1 envelope when `soap` is set.
 */
export function buildChannelResponse(
  request: ChannelRequest['message'],
  input: { echoToken: string | null; timeStamp: number; warnings?: ChannelWarning[]; problems?: OtaProblem[]; snapshot?: ChannelInventorySnapshot; soap?: '1.1' | '1.2' },
): string {
  const rootName = RESPONSE_OF[request];
  const body: XNode = input.problems?.length
    ? { Errors: { Error: input.problems.map(errorNode) } }
    : {
        Success: '',
        ...(input.warnings?.length ? { Warnings: { Warning: input.warnings.map((w) => ({ '@Type': '1', '@Code': w.code, '@ShortText': w.message })) } } : {}),
        ...(input.snapshot
          ? {
              Inventories: [
                {
                  '@HotelCode': input.snapshot.hotelCode,
                  Inventory: input.snapshot.counts.map((c) => ({
                    StatusApplicationControl: { '@Start': c.date, '@End': c.date, '@InvTypeCode': c.roomType },
                    InvCounts: { InvCount: [{ '@CountType': COUNT_TYPE_AVAILABLE, '@Count': String(c.count) }] },
                  })),
                },
              ],
            }
          : {}),
      };
  const root = otaRoot({ echoToken: input.echoToken, timeStamp: input.timeStamp }, body);
  return input.soap ? serialise(rootName, root, { soap: input.soap, wsse: null }) : serialise(rootName, root);
}

/** The Errors of an answer built by {@link buildChannelResponse} (tests). */
export function responseProblems(xml: string): OtaProblem[] {
  return readProblems(children(child(parseOta(xml).root, 'Errors'), 'Error'));
}

