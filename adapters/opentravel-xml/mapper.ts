import {
  ChannelManagerError,
  type ChannelInventorySnapshot,
  type ChannelWarning,
  type IsoDate,
  type OtaProblem,
  type PushAck,
} from '../../domain/channels/model';
import { isIsoDate } from '../../domain/time/instant';
import { COUNT_TYPE_AVAILABLE } from './builder';
import { attr, child, children, text, type OtaDocument, type SoapFault, type XNode } from './xml';

/** Pure wire → domain mapping of the channel's answers. Every failure is a ChannelManagerError. */

const malformed = (what: string, path: string) => new ChannelManagerError('malformed-response', `OTA response ${what} (at ${path})`);

/** The next calendar date after `date` (YYYY-MM-DD, UTC arithmetic: calendar dates have no zone). */
export function nextDate(date: IsoDate): IsoDate {
  const t = Date.parse(`${date}T00:00:00Z`) + 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Each night of the inclusive range start..end. */
export function eachNight(start: IsoDate, end: IsoDate): IsoDate[] {
  const nights: IsoDate[] = [];
  for (let d = start; d <= end; d = nextDate(d)) nights.push(d);
  return nights;
}

const SECURITY_FAULTS = new Set(['FailedAuthentication', 'InvalidSecurity', 'InvalidSecurityToken', 'FailedCheck', 'SecurityTokenUnavailable', 'UnsupportedSecurityToken']);

/**
 * A SOAP Fault: WS-Security fault codes (or a reason about credentials) → unauthorized,
 * Server/Receiver → unavailable (retryable), Client/Sender and anything else → rejected.
 */
export function faultError(fault: SoapFault, status: number): ChannelManagerError {
  const message = `SOAP Fault [${fault.codes.join('/') || 'no code'}]: ${fault.reason}`;
  const details = status ? { status } : {};
  if (fault.codes.some((c) => SECURITY_FAULTS.has(c)) || /authenticat|credential|password|username|unauthori[sz]ed/i.test(fault.reason)) {
    return new ChannelManagerError('unauthorized', message, details);
  }
  if (fault.codes.some((c) => c === 'Server' || c === 'Receiver')) return new ChannelManagerError('unavailable', message, details);
  return new ChannelManagerError('rejected', message, { ...details, problems: [{ type: '12', code: '450', message: fault.reason }] });
}

/** Errors/Error elements: Type, Code, ShortText (else the text content). */
export function readProblems(errors: XNode[]): OtaProblem[] {
  return errors.map((e) => ({ type: attr(e, 'Type') ?? '', code: attr(e, 'Code') ?? '', message: attr(e, 'ShortText') ?? text(e) ?? '' }));
}

function readWarnings(root: XNode): ChannelWarning[] {
  return children(child(root, 'Warnings'), 'Warning').map((w) => ({ code: attr(w, 'Code') ?? '', message: attr(w, 'ShortText') ?? text(w) ?? '' }));
}

/**
 * Checks the envelope of an OTA response: the expected root, Errors → rejected (each Error's
 * Type/Code/ShortText in `details.problems`), no Success → malformed, EchoToken echoed.
 */
function checkResponse(doc: OtaDocument, expectedRoot: string, echoToken: string, status: number): XNode {
  if (doc.fault) throw faultError(doc.fault, status);
  if (doc.rootName !== expectedRoot) throw malformed(`root is ${doc.rootName}, expected ${expectedRoot}`, doc.rootPath);
  const root = doc.root;
  const errors = children(child(root, 'Errors'), 'Error');
  if (errors.length > 0) {
    const problems = readProblems(errors);
    const summary = problems.map((p) => `${p.code || '?'} ${p.message}`.trim()).join('; ');
    throw new ChannelManagerError('rejected', `${expectedRoot} Errors: ${summary}`, { ...(status ? { status } : {}), problems });
  }
  if (child(root, 'Success') === undefined) throw malformed('has neither Success nor Errors', `${doc.rootPath}/Success`);
  const echoed = attr(root, 'EchoToken');
  if (echoed !== echoToken) {
    throw malformed(`EchoToken ${echoed === undefined ? 'is missing' : `"${echoed}"`} does not match the request's "${echoToken}"`, `${doc.rootPath}/@EchoToken`);
  }
  return root;
}

export function mapPushResponse(doc: OtaDocument, expectedRoot: string, echoToken: string, status = 200): PushAck {
  const root = checkResponse(doc, expectedRoot, echoToken, status);
  return { echoToken, warnings: readWarnings(root) };
}

/**
 * OTA_HotelInvCountRS → one count per room type and night, clipped to the requested inclusive
 * range. Only available counts (CountType 2, or an InvCount without CountType) are read.
 */
export function mapInvCountResponse(doc: OtaDocument, echoToken: string, hotelCode: string, start: IsoDate, end: IsoDate, status = 200): ChannelInventorySnapshot {
  const root = checkResponse(doc, 'OTA_HotelInvCountRS', echoToken, status);
  const byKey = new Map<string, { roomType: string; date: IsoDate; count: number }>();
  children(root, 'Inventories').forEach((group, g) => {
    const gPath = `${doc.rootPath}/Inventories[${g}]`;
    const code = attr(group, 'HotelCode');
    if (code !== undefined && code !== hotelCode) throw malformed(`is for hotel ${code}, we asked for ${hotelCode}`, `${gPath}/@HotelCode`);
    children(group, 'Inventory').forEach((inv, i) => {
      const path = `${gPath}/Inventory[${i}]`;
      const control = child(inv, 'StatusApplicationControl');
      const roomType = attr(control, 'InvTypeCode') ?? attr(control, 'InvCode');
      if (!roomType) throw malformed('has no InvTypeCode', `${path}/StatusApplicationControl/@InvTypeCode`);
      const from = attr(control, 'Start');
      const to = attr(control, 'End');
      if (!from || !isIsoDate(from)) throw malformed(`Start ${JSON.stringify(from)} is not a date`, `${path}/StatusApplicationControl/@Start`);
      if (!to || !isIsoDate(to) || to < from) throw malformed(`End ${JSON.stringify(to)} is not a date on or after Start`, `${path}/StatusApplicationControl/@End`);
      const counts = children(child(inv, 'InvCounts'), 'InvCount');
      const available = counts.findIndex((c) => (attr(c, 'CountType') ?? COUNT_TYPE_AVAILABLE) === COUNT_TYPE_AVAILABLE);
      if (available < 0) throw malformed('has no available count (CountType 2)', `${path}/InvCounts/InvCount`);
      const raw = attr(counts[available], 'Count');
      if (!raw || !/^\d+$/.test(raw)) throw malformed(`Count ${JSON.stringify(raw)} is not a whole number >= 0`, `${path}/InvCounts/InvCount[${available}]/@Count`);
      const first = from < start ? start : from;
      const last = to > end ? end : to;
      for (const date of first <= last ? eachNight(first, last) : []) byKey.set(`${roomType}|${date}`, { roomType, date, count: Number(raw) });
    });
  });
  return { hotelCode, counts: [...byKey.values()] };
}
