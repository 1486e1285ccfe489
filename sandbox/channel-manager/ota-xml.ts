import { createHash } from 'node:crypto';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * The sandbox channel manager's own reading and writing of OpenTravel (OTA 2015) XML. It does NOT
 * share code with adapters/opentravel-xml on purpose: contract tests between the two only mean
 * something when each side reads the wire independently.
 *
 * Parser options are fixed once; every element that can repeat is always read as an array.
 */

export const OTA_NS = 'http://www.opentravel.org/OTA/2003/05';
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const PASSWORD_DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';

const REPEATABLE = new Set([
  'AvailStatusMessage',
  'LengthOfStay',
  'RestrictionStatus',
  'Inventory',
  'InvCount',
  'RateAmountMessage',
  'Rate',
  'BaseByGuestAmt',
  'HotelInvCountRequest',
  'RoomTypeCandidate',
  'HotelReservation',
  'RoomStay',
  'RoomType',
  'RatePlan',
  'GuestCount',
  'HotelReservationID',
  'Comment',
  'UniqueID',
  'Error',
  'Warning',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => REPEATABLE.has(name),
});

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: false, suppressEmptyNode: true, suppressBooleanAttributes: false });

export type XmlNode = Record<string, unknown>;
export type EnvelopeStyle = 'bare' | 'soap11' | 'soap12';

/** An OTA Errors/Warnings entry: `code` from the OTA EWT list, `type` from the OTA Error Warning Type list. */
export interface SandboxOtaProblem {
  type: string;
  code: string;
  message: string;
}

/** 15 invalid date, 61 invalid currency, 321 required field missing, 392 invalid hotel, 402 invalid room type, 249 invalid rate code, 450 unable to process, 497 authorization error. */
export const problem = {
  invalidDate: (message: string): SandboxOtaProblem => ({ type: '3', code: '15', message }),
  invalidCurrency: (message: string): SandboxOtaProblem => ({ type: '3', code: '61', message }),
  missing: (message: string): SandboxOtaProblem => ({ type: '10', code: '321', message }),
  invalidHotel: (message: string): SandboxOtaProblem => ({ type: '3', code: '392', message }),
  invalidRoomType: (message: string): SandboxOtaProblem => ({ type: '3', code: '402', message }),
  invalidRatePlan: (message: string): SandboxOtaProblem => ({ type: '3', code: '249', message }),
  unableToProcess: (message: string): SandboxOtaProblem => ({ type: '12', code: '450', message }),
  unauthorized: (message: string): SandboxOtaProblem => ({ type: '4', code: '497', message }),
};

export interface WsseToken {
  username: string;
  password: string;
  /** 'text' (PasswordText) or 'digest' (PasswordDigest: base64(sha1(nonce + created + password))). */
  passwordType: 'text' | 'digest';
  nonce: string | null;
  created: string | null;
}

export type ParsedRequest =
  | { ok: true; style: EnvelopeStyle; rootName: string; root: XmlNode; wsse: WsseToken | null }
  | { ok: false; style: EnvelopeStyle; rootName: string | null; echoToken: string | null; message: string };

/** Guess of the OTA root element name from raw text (for answering malformed requests in kind). */
function guessRoot(xml: string): string | null {
  return /<(?:[\w.-]+:)?(OTA_\w+RQ)\b/.exec(xml)?.[1] ?? null;
}

function guessStyle(xml: string): EnvelopeStyle {
  if (xml.includes(SOAP12_NS)) return 'soap12';
  if (xml.includes(SOAP11_NS) || /<(?:[\w.-]+:)?Envelope\b/.test(xml)) return 'soap11';
  return 'bare';
}

export const asNode = (v: unknown): XmlNode | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as XmlNode) : null);
export const asList = (v: unknown): XmlNode[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(asNode).filter((n): n is XmlNode => n !== null);
export const attr = (n: XmlNode | null | undefined, name: string): string | null => {
  const v = n?.[`@${name}`];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
};
export const text = (v: unknown): string | null => {
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  const n = asNode(v);
  const t = n?.['#text'];
  return typeof t === 'string' && t.trim() !== '' ? t.trim() : null;
};
/** Follows element names; the first element of each array. */
export const path = (n: XmlNode | null | undefined, ...names: string[]): XmlNode | null => {
  let at: XmlNode | null = n ?? null;
  for (const name of names) {
    if (!at) return null;
    at = asList(at[name])[0] ?? null;
  }
  return at;
};

function readWsse(header: XmlNode | null): WsseToken | null {
  const token = path(header, 'Security', 'UsernameToken');
  if (!token) return null;
  const passwordNode = token.Password;
  const type = attr(asNode(passwordNode), 'Type');
  return {
    username: text(token.Username) ?? '',
    password: text(passwordNode) ?? '',
    passwordType: type === PASSWORD_DIGEST || (type?.endsWith('#PasswordDigest') ?? false) ? 'digest' : 'text',
    nonce: text(token.Nonce),
    created: text(token.Created),
  };
}

/** True when the token proves `username`/`password` (PasswordText, or PasswordDigest per the WSS UsernameToken profile). */
export function wsseMatches(token: WsseToken | null, expected: { username: string; password: string }): boolean {
  if (!token || token.username !== expected.username) return false;
  if (token.passwordType === 'text') return token.password === expected.password;
  if (!token.nonce || !token.created) return false;
  const digest = createHash('sha1')
    .update(Buffer.concat([Buffer.from(token.nonce, 'base64'), Buffer.from(token.created, 'utf8'), Buffer.from(expected.password, 'utf8')]))
    .digest('base64');
  return digest === token.password;
}

/** Parses a request: bare OTA XML or inside a SOAP 1.1/1.2 envelope. Never throws. */
export function parseRequest(xml: string): ParsedRequest {
  const style = guessStyle(xml);
  const fail = (message: string, echoToken: string | null = null): ParsedRequest => ({ ok: false, style, rootName: guessRoot(xml), echoToken, message });
  if (xml.trim() === '') return fail('empty body: expected an OTA message');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return fail(`malformed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  let doc: XmlNode;
  try {
    doc = parser.parse(xml) as XmlNode;
  } catch (e) {
    return fail(`malformed XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  let container: XmlNode = doc;
  let wsse: WsseToken | null = null;
  const envelope = asNode(doc.Envelope);
  if (envelope) {
    wsse = readWsse(asNode(envelope.Header));
    const body = asNode(envelope.Body);
    if (!body) return fail('SOAP envelope without a Body');
    container = body;
  }
  const roots = Object.keys(container).filter((k) => !k.startsWith('?') && !k.startsWith('@') && k !== '#text');
  const rootName = roots[0];
  if (roots.length !== 1 || !rootName) return fail(`expected exactly one OTA message element, found ${roots.length ? roots.join(', ') : 'none'}`);
  const root = asNode(container[rootName]) ?? {};
  if (!/^OTA_\w+RQ$/.test(rootName)) return { ok: false, style, rootName: null, echoToken: attr(root, 'EchoToken'), message: `${rootName} is not an OTA request message` };
  return { ok: true, style, rootName, root, wsse };
}

export interface ResponseInput {
  rootName: string;
  echoToken: string | null;
  timeStamp: number;
  errors?: SandboxOtaProblem[];
  warnings?: SandboxOtaProblem[];
  /** Child elements after Success (e.g. Inventories of an OTA_HotelInvCountRS). */
  content?: XmlNode;
}

const problemNode = (p: SandboxOtaProblem): XmlNode => ({ '@Type': p.type, '@Code': p.code, '@ShortText': p.message, '#text': p.message });

/** An OTA_*RS: Errors when there are any, else Success (+ Warnings + content). */
export function buildResponse(input: ResponseInput, style: EnvelopeStyle): string {
  const body: XmlNode = {
    '@xmlns': OTA_NS,
    ...(input.echoToken !== null ? { '@EchoToken': input.echoToken } : {}),
    '@TimeStamp': new Date(input.timeStamp).toISOString(),
    '@Version': '1.0',
  };
  if (input.errors?.length) {
    body.Errors = { Error: input.errors.map(problemNode) };
  } else {
    body.Success = '';
    if (input.warnings?.length) body.Warnings = { Warning: input.warnings.map(problemNode) };
    Object.assign(body, input.content ?? {});
  }
  return wrap({ [input.rootName]: body }, style);
}

/** Wraps a message element in the envelope style (bare, SOAP 1.1 or 1.2), with an XML declaration. */
export function wrap(message: XmlNode, style: EnvelopeStyle, header?: XmlNode): string {
  const doc: XmlNode =
    style === 'bare'
      ? message
      : {
          'soap:Envelope': {
            '@xmlns:soap': style === 'soap12' ? SOAP12_NS : SOAP11_NS,
            ...(header ? { 'soap:Header': header } : {}),
            'soap:Body': message,
          },
        };
  // The builder would drop an empty <Success/> under suppressEmptyNode; keep it explicit.
  const xml = builder.build(doc) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>${xml.replace(/<Success><\/Success>/g, '<Success/>')}`;
}

/** A SOAP Fault (1.1 or 1.2 shape), e.g. a WS-Security failure. */
export function buildSoapFault(style: 'soap11' | 'soap12', code: string, reason: string): string {
  const fault: XmlNode =
    style === 'soap11'
      ? { faultcode: code, faultstring: reason }
      : { 'soap:Code': { 'soap:Value': 'soap:Sender', 'soap:Subcode': { 'soap:Value': code } }, 'soap:Reason': { 'soap:Text': { '@xml:lang': 'en', '#text': reason } } };
  return wrap({ 'soap:Fault': { '@xmlns:wsse': WSSE_NS, ...fault } }, style);
}

/** Response element name for a request element name (OTA_HotelAvailNotifRQ → OTA_HotelAvailNotifRS). */
export const responseName = (rootName: string | null): string => (rootName ? rootName.replace(/RQ$/, 'RS') : 'OTA_ErrorRS');

/** The content type to answer with for an envelope style. */
export const contentTypeFor = (style: EnvelopeStyle): string => (style === 'soap12' ? 'application/soap+xml; charset=utf-8' : 'text/xml; charset=utf-8');
