import type {
  InboundReservation,
  OtaProblem,
  ReservationAction,
  ReservationNotification,
  ReservationRoomStay,
} from '../../domain/channels/model';
import { checkAmount, Dec, Money, type MoneyJson } from '../../domain/money/money';
import { isCurrencyCode } from '../../domain/money/currency';
import { isIsoDate, type Instant } from '../../domain/time/instant';
import { UIT_HOTEL, UIT_RESERVATION } from './builder';
import { attr, child, children, otaRoot, parseOta, serialise, text, XmlSyntaxError, type WsseCredentials, type XNode } from './xml';

/**
 * Inbound booking notifications: OTA_HotelResNotifRQ (bare or in a SOAP 1.1/1.2 envelope) →
 * domain ReservationNotification, and the OTA_HotelResNotifRS answer. Never throws on bad input:
 * every problem is an OtaProblem with an OTA error code and the path of the offending element.
 */

export type ParsedReservationNotification =
  | { ok: true; notification: ReservationNotification; wsse: WsseCredentials | null }
  | { ok: false; echoToken: string | null; problems: OtaProblem[] };

/** OTA Error Warning Type (EWT): 3 biz rule, 10 required field missing, 12 processing exception. */
const EWT = { bizRule: '3', required: '10', processing: '12' } as const;
/** OTA Error codes (ERR) used here. */
export const OTA_ERR = {
  invalidDate: '15',
  invalidCurrency: '61',
  invalidValue: '320',
  requiredFieldMissing: '321',
  invalidHotelCode: '392',
  invalidRoomType: '402',
  systemError: '448',
  unableToProcess: '450',
} as const;

/** ResStatus words in use (lower case) → our three actions. */
const ACTIONS: Record<string, ReservationAction> = {
  commit: 'new', book: 'new', booked: 'new', reserved: 'new', confirmed: 'new', initiate: 'new', new: 'new',
  modify: 'modified', modified: 'modified',
  cancel: 'cancelled', cancelled: 'cancelled', canceled: 'cancelled',
};

/** Map a ResStatus word, case-insensitively; undefined for a word we do not know. */
export function reservationAction(word: string): ReservationAction | undefined {
  return Object.hasOwn(ACTIONS, word.toLowerCase()) ? ACTIONS[word.toLowerCase()] : undefined;
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An xs:dateTime (or date) → epoch ms. A value without a zone designator is read as UTC (OTA
 * senders that omit it are documented to send UTC; see README). undefined when unreadable.
 */
export function readInstant(value: string): Instant | undefined {
  const m = DATE_TIME.exec(value);
  if (!m || !isIsoDate(m[1]!)) return undefined;
  const [, date, hh = '00', mm = '00', ss = '00', frac = '', zone = 'Z'] = m;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return undefined;
  const z = zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const t = Date.parse(`${date}T${hh}:${mm}:${ss}${frac.slice(0, 4)}${z}`);
  return Number.isFinite(t) ? t : undefined;
}

class Problems {
  readonly list: OtaProblem[] = [];
  add(type: string, code: string, path: string, message: string): undefined {
    this.list.push({ type, code, message: `${path}: ${message}` });
    return undefined;
  }
  missing(path: string, what: string): undefined {
    return this.add(EWT.required, OTA_ERR.requiredFieldMissing, path, `${what} is missing`);
  }
}

function readDate(p: Problems, node: XNode | undefined, name: string, path: string): string | undefined {
  const v = attr(node, name);
  if (v === undefined) return p.missing(`${path}/@${name}`, name);
  const date = v.slice(0, 10);
  if (!(v.length === 10 ? isIsoDate(v) : readInstant(v) !== undefined && isIsoDate(date))) {
    return p.add(EWT.bizRule, OTA_ERR.invalidDate, `${path}/@${name}`, `"${v}" is not a date`);
  }
  return date;
}

/** AmountAfterTax (else AmountBeforeTax) + CurrencyCode (+ DecimalPlaces for implied decimals) → MoneyJson. */
function readAmount(p: Problems, node: XNode | undefined, path: string): MoneyJson | undefined {
  if (!node) return p.missing(path, 'Total');
  const name = attr(node, 'AmountAfterTax') !== undefined ? 'AmountAfterTax' : 'AmountBeforeTax';
  const raw = attr(node, name);
  const currency = attr(node, 'CurrencyCode');
  if (raw === undefined) return p.missing(`${path}/@AmountAfterTax`, 'AmountAfterTax');
  if (currency === undefined) return p.add(EWT.bizRule, OTA_ERR.invalidCurrency, `${path}/@CurrencyCode`, `amount ${raw} has no CurrencyCode`);
  if (!isCurrencyCode(currency)) return p.add(EWT.bizRule, OTA_ERR.invalidCurrency, `${path}/@CurrencyCode`, `"${currency}" is not an ISO 4217 currency code`);
  if (!/^(0|[1-9]\d*)(\.\d+)?$/.test(raw)) return p.add(EWT.bizRule, OTA_ERR.invalidValue, `${path}/@${name}`, `"${raw}" is not a decimal amount >= 0`);
  const places = attr(node, 'DecimalPlaces');
  let amount = raw;
  if (places !== undefined && !raw.includes('.')) {
    if (!/^\d$/.test(places)) return p.add(EWT.bizRule, OTA_ERR.invalidValue, `${path}/@DecimalPlaces`, `"${places}" is not a number of decimal places`);
    amount = new Dec(raw).dividedBy(new Dec(10).pow(Number(places))).toFixed();
  }
  const problem = checkAmount(amount, currency)[0];
  if (problem) return p.add(EWT.bizRule, OTA_ERR.invalidValue, `${path}/@${name}`, problem.message);
  return Money.of(amount, currency).toJSON();
}

function positiveInt(p: Problems, raw: string | undefined, path: string, fallback: number | undefined, min: number): number | undefined {
  if (raw === undefined) return fallback ?? p.missing(path, path.slice(path.lastIndexOf('@') + 1));
  if (!/^\d+$/.test(raw) || Number(raw) < min) return p.add(EWT.bizRule, OTA_ERR.invalidValue, path, `"${raw}" is not a whole number >= ${min}`);
  return Number(raw);
}

function readRoomStay(p: Problems, stay: XNode, path: string, globalInfo: XNode | undefined, onlyStay: boolean): (ReservationRoomStay & { hotelCode?: string }) | undefined {
  const roomTypeNode = children(child(stay, 'RoomTypes'), 'RoomType')[0];
  const roomType = attr(roomTypeNode, 'RoomTypeCode') ?? p.missing(`${path}/RoomTypes/RoomType/@RoomTypeCode`, 'RoomTypeCode');
  const ratePlanNode = children(child(stay, 'RatePlans'), 'RatePlan')[0];
  const roomRateNode = children(child(stay, 'RoomRates'), 'RoomRate')[0];
  const ratePlan = attr(ratePlanNode, 'RatePlanCode') ?? attr(roomRateNode, 'RatePlanCode') ?? p.missing(`${path}/RatePlans/RatePlan/@RatePlanCode`, 'RatePlanCode');
  const units = attr(roomTypeNode, 'NumberOfUnits') ?? attr(roomRateNode, 'NumberOfUnits');
  const quantity = positiveInt(p, units, `${path}/RoomTypes/RoomType/@NumberOfUnits`, 1, 1);

  const guestCounts = children(child(stay, 'GuestCounts') ?? child(globalInfo, 'GuestCounts'), 'GuestCount');
  let adults = 0;
  let children_ = 0;
  guestCounts.forEach((g, i) => {
    const gPath = `${path}/GuestCounts/GuestCount[${i}]`;
    const count = positiveInt(p, attr(g, 'Count'), `${gPath}/@Count`, undefined, 0) ?? 0;
    const age = attr(g, 'AgeQualifyingCode') ?? '10';
    if (age === '10') adults += count;
    else if (age === '8' || age === '7') children_ += count;
    else p.add(EWT.bizRule, OTA_ERR.invalidValue, `${gPath}/@AgeQualifyingCode`, `"${age}" is not 10 (adult), 8 (child) or 7 (infant)`);
  });
  if (guestCounts.length > 0 && adults === 0) p.add(EWT.required, OTA_ERR.requiredFieldMissing, `${path}/GuestCounts`, 'no adult (AgeQualifyingCode 10) is counted');
  if (guestCounts.length === 0) p.missing(`${path}/GuestCounts/GuestCount`, 'GuestCount');

  const span = child(stay, 'TimeSpan');
  const arrival = span ? readDate(p, span, 'Start', `${path}/TimeSpan`) : p.missing(`${path}/TimeSpan`, 'TimeSpan');
  const departure = span ? readDate(p, span, 'End', `${path}/TimeSpan`) : undefined;
  if (arrival && departure && departure <= arrival) {
    p.add(EWT.bizRule, OTA_ERR.invalidDate, `${path}/TimeSpan/@End`, `check-out ${departure} is not after arrival ${arrival} (End is the exclusive check-out date)`);
  }
  const totalNode = child(stay, 'Total') ?? (onlyStay ? child(globalInfo, 'Total') : undefined);
  const total = readAmount(p, totalNode, `${path}/Total`);
  const hotelCode = attr(child(stay, 'BasicPropertyInfo'), 'HotelCode');
  if (roomType === undefined || ratePlan === undefined || quantity === undefined || !arrival || !departure || departure <= arrival || !total || adults === 0) return undefined;
  return { roomType, ratePlan, arrival, departure, quantity, adults, children: children_, total, ...(hotelCode ? { hotelCode } : {}) };
}

function readOriginatingChannel(...pos: (XNode | undefined)[]): string | undefined {
  for (const node of pos) {
    for (const source of children(node, 'Source')) {
      const company = child(child(source, 'BookingChannel'), 'CompanyName');
      const code = attr(company, 'Code') ?? text(company) ?? attr(company, 'CompanyShortName');
      if (code) return code;
    }
  }
  return undefined;
}

function readReservation(p: Problems, res: XNode, path: string, rq: XNode, rootPath: string): InboundReservation | undefined {
  const before = p.list.length;
  const statusWord = attr(res, 'ResStatus') ?? attr(rq, 'ResStatus');
  let action: ReservationAction | undefined;
  if (statusWord === undefined) p.missing(`${path}/@ResStatus`, 'ResStatus');
  else {
    action = reservationAction(statusWord);
    if (!action) p.add(EWT.processing, OTA_ERR.unableToProcess, `${path}/@ResStatus`, `unknown ResStatus "${statusWord}" (expected Commit, Book, Reserved, Modify, Cancel...)`);
  }
  const readTime = (name: string) => {
    const v = attr(res, name);
    if (v === undefined) return undefined;
    const t = readInstant(v);
    if (t === undefined) p.add(EWT.bizRule, OTA_ERR.invalidDate, `${path}/@${name}`, `"${v}" is not a date-time`);
    return t;
  };
  const created = readTime('CreateDateTime');
  const modified = readTime('LastModifyDateTime');
  if (attr(res, 'CreateDateTime') === undefined && attr(res, 'LastModifyDateTime') === undefined) {
    p.missing(`${path}/@LastModifyDateTime`, 'LastModifyDateTime (or CreateDateTime)');
  }

  const globalInfo = child(res, 'ResGlobalInfo');
  const uniqueIds = children(res, 'UniqueID');
  const uniqueId = uniqueIds.find((u) => attr(u, 'Type') === UIT_RESERVATION) ?? uniqueIds[0];
  const resIds = children(child(globalInfo, 'HotelReservationIDs'), 'HotelReservationID');
  const resId = resIds.find((r) => attr(r, 'ResID_Type') === UIT_RESERVATION) ?? resIds.find((r) => attr(r, 'ResID_Type') !== UIT_HOTEL);
  const reservationId = attr(uniqueId, 'ID') ?? attr(resId, 'ResID_Value') ?? p.missing(`${path}/UniqueID/@ID`, 'the reservation id (UniqueID or ResGlobalInfo/HotelReservationIDs)');

  const originatingChannel = readOriginatingChannel(child(res, 'POS'), child(rq, 'POS')) ?? p.missing(`${rootPath}/POS/Source/BookingChannel/CompanyName`, 'the originating channel (POS/Source/BookingChannel/CompanyName)');

  const stays = children(child(res, 'RoomStays'), 'RoomStay');
  if (stays.length === 0) p.missing(`${path}/RoomStays/RoomStay`, 'RoomStay');
  const roomStays = stays.map((s, i) => readRoomStay(p, s, `${path}/RoomStays/RoomStay[${i}]`, globalInfo, stays.length === 1));

  const hotelCodes = new Set(roomStays.map((s) => s?.hotelCode).filter((c): c is string => c !== undefined));
  const globalHotel = attr(child(globalInfo, 'BasicPropertyInfo'), 'HotelCode');
  if (globalHotel) hotelCodes.add(globalHotel);
  let hotelCode: string | undefined;
  if (hotelCodes.size === 0) p.missing(`${path}/RoomStays/RoomStay/BasicPropertyInfo/@HotelCode`, 'HotelCode');
  else if (hotelCodes.size > 1) p.add(EWT.bizRule, OTA_ERR.invalidHotelCode, `${path}/RoomStays`, `room stays name different hotels (${[...hotelCodes].join(', ')})`);
  else hotelCode = [...hotelCodes][0];

  const resGuest = children(child(res, 'ResGuests'), 'ResGuest')[0];
  const customer = child(child(children(child(resGuest, 'Profiles'), 'ProfileInfo')[0], 'Profile'), 'Customer');
  const gPath = `${path}/ResGuests/ResGuest/Profiles/ProfileInfo/Profile/Customer`;
  const name = child(customer, 'PersonName');
  const surname = text(child(name, 'Surname')) ?? p.missing(`${gPath}/PersonName/Surname`, 'Surname');
  const givenName = children(name, 'GivenName').map((g) => text(g)).filter((g): g is string => g !== undefined).join(' ');
  if (!givenName) p.missing(`${gPath}/PersonName/GivenName`, 'GivenName');
  const email = text(children(customer, 'Email')[0]) ?? null;
  const phone = attr(children(customer, 'Telephone')[0], 'PhoneNumber') ?? null;

  let total: MoneyJson | undefined;
  const fullStays = roomStays.filter((s): s is ReservationRoomStay & { hotelCode?: string } => s !== undefined);
  if (fullStays.length === stays.length && fullStays.length > 0) {
    const currencies = new Set(fullStays.map((s) => s.total.currency));
    if (currencies.size > 1) p.add(EWT.bizRule, OTA_ERR.invalidCurrency, `${path}/RoomStays`, `room stays are priced in different currencies (${[...currencies].join(', ')})`);
    else total = fullStays.map((s) => Money.fromJson(s.total)).reduce((a, b) => a.add(b)).toJSON();
  }
  if (p.list.length > before || !action || !statusWord || reservationId === undefined || !originatingChannel || !hotelCode || !surname || !total) return undefined;
  const lastModifiedAt = (modified ?? created)!;
  return {
    reservationId,
    version: lastModifiedAt,
    action,
    statusWord,
    originatingChannel,
    hotelCode,
    roomStays: fullStays.map(({ hotelCode: _h, ...s }) => s),
    guest: { givenName, surname, email, phone },
    total,
    createdAt: created ?? lastModifiedAt,
    lastModifiedAt,
  };
}

/**
 * Reads an OTA_HotelResNotifRQ, bare or inside a SOAP 1.1/1.2 envelope. Never throws: malformed
 * XML → 450 (type 12); missing fields → 321 (type 10); bad or reversed dates → 15 (type 3); an
 * amount without (or with an unknown) currency → 61; an unknown ResStatus word → 450. Any problem
 * refuses the whole message (nothing is half-taken). `wsse` carries the UsernameToken of a SOAP
 * header for the caller to check; null when there is none.
 */
export function parseReservationNotification(xml: string): ParsedReservationNotification {
  try {
    return readNotification(xml);
  } catch (err) {
    // A defect here must still answer the channel with OTA Errors, never a thrown 500.
    return { ok: false, echoToken: null, problems: [{ type: EWT.processing, code: OTA_ERR.systemError, message: `/: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}

function readNotification(xml: string): ParsedReservationNotification {
  const p = new Problems();
  let doc;
  try {
    doc = parseOta(xml);
  } catch (err) {
    const e = err instanceof XmlSyntaxError ? err : new XmlSyntaxError(String(err), '/');
    p.add(EWT.processing, OTA_ERR.unableToProcess, e.path, e.message);
    return { ok: false, echoToken: null, problems: p.list };
  }
  const rq = doc.root;
  const echoToken = attr(rq, 'EchoToken') ?? null;
  if (doc.rootName !== 'OTA_HotelResNotifRQ') {
    p.add(EWT.processing, OTA_ERR.unableToProcess, doc.rootPath, `expected OTA_HotelResNotifRQ, got ${doc.rootName}`);
    return { ok: false, echoToken, problems: p.list };
  }
  const ts = attr(rq, 'TimeStamp');
  const timeStamp = ts === undefined ? null : readInstant(ts);
  if (timeStamp === undefined) p.add(EWT.bizRule, OTA_ERR.invalidDate, `${doc.rootPath}/@TimeStamp`, `"${ts}" is not a date-time`);
  const list = children(child(rq, 'HotelReservations'), 'HotelReservation');
  if (list.length === 0) p.missing(`${doc.rootPath}/HotelReservations/HotelReservation`, 'HotelReservation');
  const reservations = list.map((r, i) => readReservation(p, r, `${doc.rootPath}/HotelReservations/HotelReservation[${i}]`, rq, doc.rootPath));
  if (p.list.length > 0 || timeStamp === undefined) return { ok: false, echoToken, problems: p.list };
  return {
    ok: true,
    notification: { echoToken, timeStamp, reservations: reservations as InboundReservation[] },
    wsse: doc.wsse,
  };
}

const errorNode = (e: OtaProblem) => ({ '@Type': e.type, '@Code': e.code, '@ShortText': e.message.slice(0, 64), '#text': e.message });

/**
 * OTA_HotelResNotifRS (bare XML): Errors when `problems` is non-empty, else Success (+ Warnings)
 * and, per reservation, the channel's id (UniqueID Type 14, HotelReservationID ResID_Type 14) and
 * Itinera's reference (HotelReservationID ResID_Type 10). The EchoToken is echoed.
 */
export function buildReservationNotificationResponse(input: {
  echoToken: string | null;
  timeStamp: Instant;
  results: { reservationId: string; itineraReference: string }[];
  problems?: OtaProblem[];
  warnings?: OtaProblem[];
}): string {
  const problems = input.problems ?? [];
  const body: XNode =
    problems.length > 0
      ? { Errors: { Error: problems.map(errorNode) } }
      : {
          Success: '',
          ...(input.warnings?.length ? { Warnings: { Warning: input.warnings.map(errorNode) } } : {}),
          ...(input.results.length
            ? {
                HotelReservations: {
                  HotelReservation: input.results.map((r) => ({
                    UniqueID: [{ '@Type': UIT_RESERVATION, '@ID': r.reservationId }],
                    ResGlobalInfo: {
                      HotelReservationIDs: {
                        HotelReservationID: [
                          { '@ResID_Type': UIT_RESERVATION, '@ResID_Value': r.reservationId },
                          { '@ResID_Type': UIT_HOTEL, '@ResID_Value': r.itineraReference },
                        ],
                      },
                    },
                  })),
                },
              }
            : {}),
        };
  return serialise('OTA_HotelResNotifRS', otaRoot({ echoToken: input.echoToken, timeStamp: input.timeStamp }, body));
}

/** Reads an OTA_HotelResNotifRS (sandbox hub, tests): the echo token, the id pairs, or the Errors. */
export function parseReservationNotificationResponse(xml: string):
  | { ok: true; echoToken: string | null; results: { reservationId: string; itineraReference: string | null }[]; warnings: OtaProblem[] }
  | { ok: false; echoToken: string | null; problems: OtaProblem[] } {
  const doc = parseOta(xml);
  if (doc.rootName !== 'OTA_HotelResNotifRS') throw new XmlSyntaxError(`expected OTA_HotelResNotifRS, got ${doc.rootName}`, doc.rootPath);
  const echoToken = attr(doc.root, 'EchoToken') ?? null;
  const read = (nodes: XNode[]) => nodes.map((e) => ({ type: attr(e, 'Type') ?? '', code: attr(e, 'Code') ?? '', message: text(e) ?? attr(e, 'ShortText') ?? '' }));
  const errors = children(child(doc.root, 'Errors'), 'Error');
  if (errors.length > 0) return { ok: false, echoToken, problems: read(errors) };
  const results = children(child(doc.root, 'HotelReservations'), 'HotelReservation').map((r) => {
    const ids = children(child(child(r, 'ResGlobalInfo'), 'HotelReservationIDs'), 'HotelReservationID');
    const idOf = (type: string) => attr(ids.find((i) => attr(i, 'ResID_Type') === type), 'ResID_Value');
    return { reservationId: attr(children(r, 'UniqueID')[0], 'ID') ?? idOf(UIT_RESERVATION) ?? '', itineraReference: idOf(UIT_HOTEL) ?? null };
  });
  return { ok: true, echoToken, results, warnings: read(children(child(doc.root, 'Warnings'), 'Warning')) };
}

/**
 * Builds an OTA_HotelResNotifRQ from domain values (the sandbox hub's webhooks, tests): one
 * HotelReservation per reservation, ResStatus = its `statusWord`, optionally in a SOAP envelope
 * with a UsernameToken.
 */
export function buildReservationNotification(
  notification: ReservationNotification,
  options: { soap?: '1.1' | '1.2'; wsse?: WsseCredentials | null } = {},
): string {
  const iso = (t: Instant) => new Date(t).toISOString();
  const root = otaRoot({ echoToken: notification.echoToken, timeStamp: notification.timeStamp ?? notification.reservations[0]?.lastModifiedAt ?? 0 }, {
    HotelReservations: {
      HotelReservation: notification.reservations.map((r) => ({
        '@CreateDateTime': iso(r.createdAt),
        '@LastModifyDateTime': iso(r.lastModifiedAt),
        '@ResStatus': r.statusWord,
        POS: { Source: [{ BookingChannel: { '@Type': '7', CompanyName: { '@Code': r.originatingChannel, '#text': r.originatingChannel } } }] },
        UniqueID: [{ '@Type': UIT_RESERVATION, '@ID': r.reservationId }],
        RoomStays: {
          RoomStay: r.roomStays.map((s) => ({
            RoomTypes: { RoomType: [{ '@RoomTypeCode': s.roomType, '@NumberOfUnits': String(s.quantity) }] },
            RatePlans: { RatePlan: [{ '@RatePlanCode': s.ratePlan }] },
            GuestCounts: {
              GuestCount: [
                { '@AgeQualifyingCode': '10', '@Count': String(s.adults) },
                ...(s.children > 0 ? [{ '@AgeQualifyingCode': '8', '@Count': String(s.children) }] : []),
              ],
            },
            TimeSpan: { '@Start': s.arrival, '@End': s.departure },
            Total: { '@AmountAfterTax': s.total.amount, '@CurrencyCode': s.total.currency },
            BasicPropertyInfo: { '@HotelCode': r.hotelCode },
          })),
        },
        ResGuests: {
          ResGuest: [
            {
              '@ResGuestRPH': '1',
              Profiles: {
                ProfileInfo: [
                  {
                    Profile: {
                      '@ProfileType': '1',
                      Customer: {
                        PersonName: { GivenName: [r.guest.givenName], Surname: r.guest.surname },
                        ...(r.guest.phone !== null ? { Telephone: [{ '@PhoneNumber': r.guest.phone }] } : {}),
                        ...(r.guest.email !== null ? { Email: [r.guest.email] } : {}),
                      },
                    },
                  },
                ],
              },
            },
          ],
        },
        ResGlobalInfo: {
          HotelReservationIDs: { HotelReservationID: [{ '@ResID_Type': UIT_RESERVATION, '@ResID_Value': r.reservationId }] },
          Total: { '@AmountAfterTax': r.total.amount, '@CurrencyCode': r.total.currency },
        },
      })),
    },
  });
  const soap = options.soap ?? (options.wsse ? '1.1' : undefined);
  return soap ? serialise('OTA_HotelResNotifRQ', root, { soap, wsse: options.wsse ?? null }) : serialise('OTA_HotelResNotifRQ', root);
}
