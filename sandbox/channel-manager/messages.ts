import { isCurrencyCode } from '../../domain/money/currency';
import { asList, asNode, attr, path, problem, text, type SandboxOtaProblem, type XmlNode } from './ota-xml';
import { MAX_NIGHTS, nightsInclusive, validDate, type ChannelState, type SandboxRestrictions } from './state';

/**
 * What each OTA request asks of a channel, read and checked in full BEFORE anything changes: an
 * interpreted message either has problems (answered with OTA Errors, state untouched) or an
 * `apply` that performs every change of the message at once.
 */

export type MessageType = 'OTA_HotelAvailNotifRQ' | 'OTA_HotelInvCountNotifRQ' | 'OTA_HotelRateAmountNotifRQ' | 'OTA_HotelInvCountRQ' | 'OTA_HotelResNotifRQ';
export const MESSAGE_TYPES: readonly MessageType[] = ['OTA_HotelAvailNotifRQ', 'OTA_HotelInvCountNotifRQ', 'OTA_HotelRateAmountNotifRQ', 'OTA_HotelInvCountRQ', 'OTA_HotelResNotifRQ'];

/** Hotels, room types and rate plans a channel has mapped; absent = the channel accepts any code. */
export type PropertyCatalog = Record<string, { roomTypes: string[]; ratePlans?: string[] }>;

export interface Interpreted {
  hotelCode: string | null;
  problems: SandboxOtaProblem[];
  warnings: SandboxOtaProblem[];
  /** Applies the whole message to the channel; returns extra response content (e.g. Inventories). */
  apply: (state: ChannelState, now: number) => XmlNode | undefined;
}

const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;
const WHOLE = /^\d{1,9}$/;
const DECIMAL_AMOUNT = /^(0|[1-9]\d{0,13})(\.\d{1,4})?$/;

class Checker {
  readonly problems: SandboxOtaProblem[] = [];
  readonly warnings: SandboxOtaProblem[] = [];
  constructor(private readonly catalog: PropertyCatalog | undefined) {}

  required(value: string | null, where: string): string | null {
    if (value === null) this.problems.push(problem.missing(`${where} is required`));
    return value;
  }
  /** Inclusive Start/End: both real dates, Start <= End, not longer than MAX_NIGHTS. */
  range(node: XmlNode | null, where: string): { start: string; end: string } | null {
    const start = this.required(attr(node, 'Start'), `${where}@Start`);
    const end = this.required(attr(node, 'End'), `${where}@End`);
    if (start === null || end === null) return null;
    if (!validDate(start) || !validDate(end)) {
      this.problems.push(problem.invalidDate(`${where}: Start "${start}" and End "${end}" must be calendar dates YYYY-MM-DD`));
      return null;
    }
    if (start > end) {
      this.problems.push(problem.invalidDate(`${where}: Start ${start} is after End ${end} (the range is inclusive)`));
      return null;
    }
    if (nightsInclusive(start, end).length > MAX_NIGHTS) {
      this.problems.push(problem.invalidDate(`${where}: ${start}..${end} is longer than ${MAX_NIGHTS} nights`));
      return null;
    }
    return { start, end };
  }
  hotel(code: string | null, where: string): string | null {
    if (this.required(code, where) === null) return null;
    if (this.catalog && !this.catalog[code!]) this.problems.push(problem.invalidHotel(`${where}: unknown hotel code "${code}"`));
    return code;
  }
  roomType(hotel: string | null, code: string | null, where: string): string | null {
    if (this.required(code, where) === null) return null;
    const property = hotel !== null ? this.catalog?.[hotel] : undefined;
    if (property && !property.roomTypes.includes(code!)) this.problems.push(problem.invalidRoomType(`${where}: unknown room type "${code}" for hotel ${hotel}`));
    return code;
  }
  ratePlan(hotel: string | null, code: string | null, where: string): string | null {
    if (code === null) return null;
    const plans = hotel !== null ? this.catalog?.[hotel]?.ratePlans : undefined;
    if (plans && !plans.includes(code)) this.problems.push(problem.invalidRatePlan(`${where}: unknown rate plan "${code}" for hotel ${hotel}`));
    return code;
  }
  whole(value: string | null, where: string): number | null {
    if (this.required(value, where) === null) return null;
    if (!WHOLE.test(value!)) {
      this.problems.push(problem.unableToProcess(`${where} must be a whole number >= 0 (got "${value}")`));
      return null;
    }
    return Number(value);
  }
}

/** One element list under a parent, reported missing when empty. */
function some(check: Checker, parent: XmlNode | null, name: string, where: string): XmlNode[] {
  const list = asList(parent?.[name]);
  if (!list.length) check.problems.push(problem.missing(`${where}/${name} is required`));
  return list;
}

// ---------------------------------------------------------------- OTA_HotelAvailNotifRQ

const LOS_TYPES: Record<string, 'minStay' | 'maxStay'> = { SetMinLOS: 'minStay', SetForwardMinStay: 'minStay', SetMaxLOS: 'maxStay', SetForwardMaxStay: 'maxStay' };

function availNotif(root: XmlNode, check: Checker): Interpreted {
  const container = path(root, 'AvailStatusMessages');
  const hotelCode = check.hotel(attr(container, 'HotelCode'), 'AvailStatusMessages@HotelCode');
  const changes: { roomType: string; ratePlan: string | null; start: string; end: string; change: Partial<SandboxRestrictions>; count: number | null }[] = [];
  some(check, container, 'AvailStatusMessage', 'AvailStatusMessages').forEach((msg, i) => {
    const where = `AvailStatusMessage[${i + 1}]`;
    const control = path(msg, 'StatusApplicationControl');
    if (!control) check.problems.push(problem.missing(`${where}/StatusApplicationControl is required`));
    const range = check.range(control, `${where}/StatusApplicationControl`);
    const roomType = check.roomType(hotelCode, attr(control, 'InvTypeCode') ?? attr(control, 'InvCode'), `${where}/StatusApplicationControl@InvTypeCode`);
    const ratePlan = check.ratePlan(hotelCode, attr(control, 'RatePlanCode'), `${where}/StatusApplicationControl@RatePlanCode`);
    const change: Partial<SandboxRestrictions> = {};
    asList(path(msg, 'LengthsOfStay')?.LengthOfStay).forEach((los, j) => {
      const w = `${where}/LengthsOfStay/LengthOfStay[${j + 1}]`;
      const kind = check.required(attr(los, 'MinMaxMessageType'), `${w}@MinMaxMessageType`);
      const time = check.whole(attr(los, 'Time'), `${w}@Time`);
      const unit = attr(los, 'TimeUnit') ?? 'Day';
      if (unit !== 'Day') check.problems.push(problem.unableToProcess(`${w}@TimeUnit must be Day (got "${unit}")`));
      if (kind !== null && !LOS_TYPES[kind]) check.problems.push(problem.unableToProcess(`${w}@MinMaxMessageType "${kind}" is not one of ${Object.keys(LOS_TYPES).join(', ')}`));
      if (kind !== null && LOS_TYPES[kind] && time !== null) change[LOS_TYPES[kind]] = time === 0 ? null : time;
    });
    asList(msg.RestrictionStatus).forEach((rs, j) => {
      const w = `${where}/RestrictionStatus[${j + 1}]`;
      const status = check.required(attr(rs, 'Status'), `${w}@Status`);
      if (status !== null && status !== 'Open' && status !== 'Close') {
        check.problems.push(problem.unableToProcess(`${w}@Status must be Open or Close (got "${status}")`));
        return;
      }
      const closed = status === 'Close';
      const restriction = attr(rs, 'Restriction') ?? 'Master';
      if (restriction === 'Master') change.stopSell = closed;
      else if (restriction === 'Arrival') change.closedToArrival = closed;
      else if (restriction === 'Departure') change.closedToDeparture = closed;
      else check.problems.push(problem.unableToProcess(`${w}@Restriction must be Master, Arrival or Departure (got "${restriction}")`));
    });
    const limit = attr(msg, 'BookingLimit');
    const count = limit === null ? null : check.whole(limit, `${where}@BookingLimit`);
    if (!Object.keys(change).length && count === null) check.problems.push(problem.missing(`${where}: one of LengthsOfStay, RestrictionStatus or BookingLimit is required`));
    if (range && roomType !== null) changes.push({ roomType, ratePlan, ...range, change, count });
  });
  return {
    hotelCode,
    problems: check.problems,
    warnings: check.warnings,
    apply: (state) => {
      for (const c of changes) {
        for (const night of nightsInclusive(c.start, c.end)) {
          if (Object.keys(c.change).length) state.mergeRestrictions(hotelCode!, c.roomType, c.ratePlan, night, c.change);
          if (c.count !== null) state.setCount(hotelCode!, c.roomType, night, c.count);
        }
      }
      return undefined;
    },
  };
}

// ---------------------------------------------------------------- OTA_HotelInvCountNotifRQ

function invCountNotif(root: XmlNode, check: Checker): Interpreted {
  const container = path(root, 'Inventories');
  const hotelCode = check.hotel(attr(container, 'HotelCode'), 'Inventories@HotelCode');
  const changes: { roomType: string; start: string; end: string; count: number }[] = [];
  some(check, container, 'Inventory', 'Inventories').forEach((inv, i) => {
    const where = `Inventory[${i + 1}]`;
    const control = path(inv, 'StatusApplicationControl');
    if (!control) check.problems.push(problem.missing(`${where}/StatusApplicationControl is required`));
    const range = check.range(control, `${where}/StatusApplicationControl`);
    const roomType = check.roomType(hotelCode, attr(control, 'InvTypeCode') ?? attr(control, 'InvCode'), `${where}/StatusApplicationControl@InvTypeCode`);
    const counts = some(check, path(inv, 'InvCounts'), 'InvCount', `${where}/InvCounts`);
    // CountType 2 = available (definitive) rooms; absent means the same. Other count types are ignored with a warning.
    const available = counts.filter((c) => (attr(c, 'CountType') ?? '2') === '2');
    if (counts.length && available.length !== 1) check.problems.push(problem.missing(`${where}/InvCounts needs exactly one InvCount with CountType="2" (available rooms), found ${available.length}`));
    if (counts.length > available.length) check.warnings.push({ type: '1', code: '450', message: `${where}: only CountType 2 (available) is kept by this sandbox channel` });
    const count = available.length === 1 ? check.whole(attr(available[0]!, 'Count'), `${where}/InvCounts/InvCount@Count`) : null;
    if (range && roomType !== null && count !== null) changes.push({ roomType, ...range, count });
  });
  return {
    hotelCode,
    problems: check.problems,
    warnings: check.warnings,
    apply: (state) => {
      for (const c of changes) for (const night of nightsInclusive(c.start, c.end)) state.setCount(hotelCode!, c.roomType, night, c.count);
      return undefined;
    },
  };
}

// ---------------------------------------------------------------- OTA_HotelRateAmountNotifRQ

function rateAmountNotif(root: XmlNode, check: Checker): Interpreted {
  const container = path(root, 'RateAmountMessages');
  const hotelCode = check.hotel(attr(container, 'HotelCode'), 'RateAmountMessages@HotelCode');
  const changes: { roomType: string; ratePlan: string; start: string; end: string; guests: number; amount: string; currency: string }[] = [];
  some(check, container, 'RateAmountMessage', 'RateAmountMessages').forEach((msg, i) => {
    const where = `RateAmountMessage[${i + 1}]`;
    const control = path(msg, 'StatusApplicationControl');
    if (!control) check.problems.push(problem.missing(`${where}/StatusApplicationControl is required`));
    const roomType = check.roomType(hotelCode, attr(control, 'InvTypeCode') ?? attr(control, 'InvCode'), `${where}/StatusApplicationControl@InvTypeCode`);
    const ratePlan = check.ratePlan(hotelCode, check.required(attr(control, 'RatePlanCode'), `${where}/StatusApplicationControl@RatePlanCode`), `${where}/StatusApplicationControl@RatePlanCode`);
    some(check, path(msg, 'Rates'), 'Rate', `${where}/Rates`).forEach((rate, j) => {
      const w = `${where}/Rates/Rate[${j + 1}]`;
      // Dates on the Rate win over the StatusApplicationControl's (both forms are in use).
      const range = attr(rate, 'Start') || attr(rate, 'End') ? check.range(rate, w) : check.range(control, `${where}/StatusApplicationControl`);
      const seen = new Set<number>();
      some(check, path(rate, 'BaseByGuestAmts'), 'BaseByGuestAmt', `${w}/BaseByGuestAmts`).forEach((amt, k) => {
        const wa = `${w}/BaseByGuestAmts/BaseByGuestAmt[${k + 1}]`;
        const guests = check.whole(attr(amt, 'NumberOfGuests'), `${wa}@NumberOfGuests`);
        if (guests === 0) check.problems.push(problem.unableToProcess(`${wa}@NumberOfGuests must be at least 1`));
        if (guests !== null && seen.has(guests)) check.problems.push(problem.unableToProcess(`${wa}: NumberOfGuests ${guests} appears twice`));
        if (guests !== null) seen.add(guests);
        const amount = check.required(attr(amt, 'AmountAfterTax') ?? attr(amt, 'AmountBeforeTax'), `${wa}@AmountAfterTax`);
        if (amount !== null && (!DECIMAL.test(amount) || !DECIMAL_AMOUNT.test(amount))) check.problems.push(problem.unableToProcess(`${wa}@AmountAfterTax "${amount}" is not a decimal amount such as "149.90"`));
        const currency = attr(amt, 'CurrencyCode') ?? attr(rate, 'CurrencyCode');
        if (currency === null) check.problems.push(problem.invalidCurrency(`${wa}: amount ${amount ?? ''} has no CurrencyCode (on BaseByGuestAmt or Rate)`));
        else if (!isCurrencyCode(currency)) check.problems.push(problem.invalidCurrency(`${wa}: "${currency}" is not an ISO 4217 currency code`));
        if (range && roomType !== null && ratePlan !== null && guests && amount !== null && currency !== null) changes.push({ roomType, ratePlan, ...range, guests, amount, currency });
      });
    });
  });
  return {
    hotelCode,
    problems: check.problems,
    warnings: check.warnings,
    apply: (state) => {
      for (const c of changes) for (const night of nightsInclusive(c.start, c.end)) state.setRate(hotelCode!, c.roomType, c.ratePlan, night, c.guests, { amount: c.amount, currency: c.currency });
      return undefined;
    },
  };
}

// ---------------------------------------------------------------- OTA_HotelInvCountRQ

function invCountRead(root: XmlNode, check: Checker): Interpreted {
  const requests = path(root, 'HotelInvCountRequests');
  const request = path(requests, 'HotelInvCountRequest');
  if (!request) check.problems.push(problem.missing('HotelInvCountRequests/HotelInvCountRequest is required'));
  const hotelCode = check.hotel(attr(path(request, 'HotelRef'), 'HotelCode') ?? attr(request, 'HotelCode') ?? attr(requests, 'HotelCode'), 'HotelInvCountRequest/HotelRef@HotelCode');
  const dateNode = path(request, 'DateRange');
  if (request && !dateNode) check.problems.push(problem.missing('HotelInvCountRequest/DateRange is required'));
  const range = dateNode ? check.range(dateNode, 'HotelInvCountRequest/DateRange') : null;
  const candidates = asList(path(request, 'RoomTypeCandidates')?.RoomTypeCandidate)
    .map((c, i) => check.roomType(hotelCode, attr(c, 'RoomTypeCode'), `RoomTypeCandidate[${i + 1}]@RoomTypeCode`))
    .filter((c): c is string => c !== null);
  return {
    hotelCode,
    problems: check.problems,
    warnings: check.warnings,
    apply: (state) => {
      const types = candidates.length ? candidates : state.roomTypesWithCounts(hotelCode!);
      const inventory: XmlNode[] = [];
      for (const roomType of types) {
        for (const night of nightsInclusive(range!.start, range!.end)) {
          const count = state.count(hotelCode!, roomType, night);
          if (count === undefined) continue;
          inventory.push({
            StatusApplicationControl: { '@Start': night, '@End': night, '@InvTypeCode': roomType },
            InvCounts: { InvCount: [{ '@CountType': '2', '@Count': String(count) }] },
          });
        }
      }
      return { Inventories: { '@HotelCode': hotelCode!, ...(inventory.length ? { Inventory: inventory } : {}) } };
    },
  };
}

// ---------------------------------------------------------------- OTA_HotelResNotifRQ (cancel back from the PMS)

const CANCEL_WORDS = new Set(['Cancel', 'Cancelled', 'Canceled']);

function resNotifCancel(root: XmlNode, check: Checker): Interpreted {
  const reservations = path(root, 'HotelReservations');
  const list = some(check, reservations, 'HotelReservation', 'HotelReservations');
  const first = list[0] ?? null;
  const hotelCode = check.hotel(
    attr(reservations, 'HotelCode') ??
      attr(path(first, 'ResGlobalInfo', 'BasicPropertyInfo'), 'HotelCode') ??
      attr(path(first, 'RoomStays', 'RoomStay', 'BasicPropertyInfo'), 'HotelCode') ??
      attr(first, 'HotelCode'),
    'HotelReservation/ResGlobalInfo/BasicPropertyInfo@HotelCode',
  );
  const cancels: { reservationId: string; reason: string | null }[] = [];
  list.forEach((res, i) => {
    const where = `HotelReservation[${i + 1}]`;
    const word = attr(res, 'ResStatus') ?? attr(root, 'ResStatus');
    if (word === null) check.problems.push(problem.missing(`${where}@ResStatus is required`));
    else if (!CANCEL_WORDS.has(word)) check.problems.push(problem.unableToProcess(`${where}@ResStatus "${word}": this channel only takes cancellations (Cancel) from the PMS`));
    const id =
      attr(asList(res.UniqueID)[0], 'ID') ?? attr(asList(path(res, 'ResGlobalInfo', 'HotelReservationIDs')?.HotelReservationID)[0], 'ResID_Value');
    check.required(id, `${where}/UniqueID@ID`);
    const comment = asList(path(res, 'ResGlobalInfo', 'Comments')?.Comment)[0] ?? asList(path(res, 'Comments')?.Comment)[0];
    const reason = text(comment?.Text) ?? text(comment);
    if (id !== null) cancels.push({ reservationId: id, reason });
  });
  const echoToken = attr(root, 'EchoToken');
  return {
    hotelCode,
    problems: check.problems,
    warnings: check.warnings,
    apply: (state, now) => {
      for (const c of cancels) {
        // A redelivered cancel-back is acknowledged again but recorded once.
        if (!state.cancelledBack.some((x) => x.hotelCode === hotelCode && x.reservationId === c.reservationId)) {
          state.cancelledBack.push({ hotelCode: hotelCode!, reservationId: c.reservationId, reason: c.reason, echoToken, at: now });
          state.releaseSale(c.reservationId);
        }
      }
      return {
        HotelReservations: {
          HotelReservation: cancels.map((c) => ({ '@ResStatus': 'Cancelled', UniqueID: [{ '@Type': '14', '@ID': c.reservationId }] })),
        },
      };
    },
  };
}

const INTERPRETERS: Record<MessageType, (root: XmlNode, check: Checker) => Interpreted> = {
  OTA_HotelAvailNotifRQ: availNotif,
  OTA_HotelInvCountNotifRQ: invCountNotif,
  OTA_HotelRateAmountNotifRQ: rateAmountNotif,
  OTA_HotelInvCountRQ: invCountRead,
  OTA_HotelResNotifRQ: resNotifCancel,
};

export const isMessageType = (name: string): name is MessageType => (MESSAGE_TYPES as readonly string[]).includes(name);

/** Reads and checks a whole request; nothing is applied until the caller runs `apply`. */
export function interpret(rootName: MessageType, root: XmlNode, catalog: PropertyCatalog | undefined): Interpreted {
  return INTERPRETERS[rootName](asNode(root) ?? {}, new Checker(catalog));
}
