import type { AvailabilityPush, CountPush, IsoDate, RatePush, StayRestrictions } from '../../domain/channels/model';
import { checkAmount } from '../../domain/money/money';
import { isCurrencyCode } from '../../domain/money/currency';
import { isIsoDate } from '../../domain/time/instant';

/**
 * Our own push was invalid before anything was sent (reversed dates, a negative count, an amount
 * that is not a decimal string...): a bug in the caller, never the channel's answer, so it is not a
 * ChannelManagerError and retrying cannot help. `path` names the offending field
 * (`rates[0].amounts[1].amount`).
 */
export class ChannelPushInvalid extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`Invalid channel push at ${path}: ${problem}`);
    this.name = 'ChannelPushInvalid';
  }
}

/** OTA codes (InvTypeCode, RatePlanCode, HotelCode) are StringLength1to64 / 1to16 in the schema; we allow 1..64 printable. */
const CODE = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/;

export function checkCode(value: unknown, path: string): asserts value is string {
  if (typeof value !== 'string' || !CODE.test(value)) throw new ChannelPushInvalid(path, `must be a code of 1 to 64 printable ASCII characters (got ${JSON.stringify(value)})`);
}

export function checkEchoToken(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 128) throw new ChannelPushInvalid('echoToken', `must be 1 to 128 characters (got ${JSON.stringify(value)})`);
}

export function checkRange(start: unknown, end: unknown, path: string): void {
  if (typeof start !== 'string' || !isIsoDate(start)) throw new ChannelPushInvalid(`${path}.start`, `must be a calendar date YYYY-MM-DD (got ${JSON.stringify(start)})`);
  if (typeof end !== 'string' || !isIsoDate(end)) throw new ChannelPushInvalid(`${path}.end`, `must be a calendar date YYYY-MM-DD (got ${JSON.stringify(end)})`);
  if (end < start) throw new ChannelPushInvalid(`${path}.end`, `${end} is before start ${start} (ranges are inclusive: end >= start)`);
}

function checkInt(value: unknown, path: string, min: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw new ChannelPushInvalid(path, `must be an integer >= ${min} (got ${JSON.stringify(value)})`);
}

function checkNonEmpty(list: unknown, path: string): void {
  if (!Array.isArray(list) || list.length === 0) throw new ChannelPushInvalid(path, 'must hold at least one entry');
}

function checkRestrictions(r: StayRestrictions, path: string): void {
  for (const k of ['stopSell', 'closedToArrival', 'closedToDeparture'] as const) {
    if (typeof r?.[k] !== 'boolean') throw new ChannelPushInvalid(`${path}.${k}`, `must be true or false (got ${JSON.stringify(r?.[k])})`);
  }
  if (r.minStay !== null) checkInt(r.minStay, `${path}.minStay`, 1);
  if (r.maxStay !== null) checkInt(r.maxStay, `${path}.maxStay`, 1);
  if (r.minStay !== null && r.maxStay !== null && r.minStay > r.maxStay) {
    throw new ChannelPushInvalid(`${path}.maxStay`, `${r.maxStay} is below minStay ${r.minStay}`);
  }
}

export function validateAvailabilityPush(push: AvailabilityPush): void {
  checkCode(push?.hotelCode, 'hotelCode');
  checkNonEmpty(push.statuses, 'statuses');
  push.statuses.forEach((s, i) => {
    const p = `statuses[${i}]`;
    checkCode(s.roomType, `${p}.roomType`);
    if (s.ratePlan !== null) checkCode(s.ratePlan, `${p}.ratePlan`);
    checkRange(s.start, s.end, p);
    checkRestrictions(s.restrictions, `${p}.restrictions`);
  });
}

export function validateCountPush(push: CountPush): void {
  checkCode(push?.hotelCode, 'hotelCode');
  checkNonEmpty(push.counts, 'counts');
  push.counts.forEach((c, i) => {
    const p = `counts[${i}]`;
    checkCode(c.roomType, `${p}.roomType`);
    checkRange(c.start, c.end, p);
    checkInt(c.count, `${p}.count`, 0);
  });
}

export function validateRatePush(push: RatePush): void {
  checkCode(push?.hotelCode, 'hotelCode');
  checkNonEmpty(push.rates, 'rates');
  push.rates.forEach((r, i) => {
    const p = `rates[${i}]`;
    checkCode(r.roomType, `${p}.roomType`);
    checkCode(r.ratePlan, `${p}.ratePlan`);
    checkRange(r.start, r.end, p);
    if (typeof r.currency !== 'string' || !isCurrencyCode(r.currency)) {
      throw new ChannelPushInvalid(`${p}.currency`, `must be an ISO 4217 currency code of 3 letters (got ${JSON.stringify(r.currency)})`);
    }
    checkNonEmpty(r.amounts, `${p}.amounts`);
    let previous = 0;
    r.amounts.forEach((a, j) => {
      const q = `${p}.amounts[${j}]`;
      checkInt(a.guests, `${q}.guests`, 1);
      if (a.guests <= previous) throw new ChannelPushInvalid(`${q}.guests`, `must be ascending without duplicates (${a.guests} after ${previous})`);
      previous = a.guests;
      if (typeof a.amount !== 'string') throw new ChannelPushInvalid(`${q}.amount`, `must be a decimal string such as "149.90" (got ${JSON.stringify(a.amount)})`);
      const problem = checkAmount(a.amount, r.currency)[0];
      if (problem) throw new ChannelPushInvalid(`${q}.amount`, problem.message);
    });
  });
}

export function validateReadCounts(hotelCode: string, start: IsoDate, end: IsoDate): void {
  checkCode(hotelCode, 'hotelCode');
  checkRange(start, end, 'range');
}
