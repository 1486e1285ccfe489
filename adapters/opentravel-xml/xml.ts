import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * The OpenTravel (OTA 2015-style) XML plumbing shared by this adapter: namespaces, the one parser
 * and the one builder (options fixed here), SOAP 1.1/1.2 envelopes with a WS-Security
 * UsernameToken, and path-aware readers over the parser's output. Wire shapes stay in this folder.
 */

export const OTA_NS = 'http://www.opentravel.org/OTA/2003/05';
/** The Version attribute every message carries (OTA 2015B schemas accept any decimal). */
export const OTA_VERSION = '1.0';
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSSE_PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

/** Every element that may repeat in the messages this adapter reads: always an array, even once. */
export const REPEATABLE = new Set([
  'AvailStatusMessage', 'LengthOfStay', 'RestrictionStatus', 'Inventory', 'Inventories', 'InvCount', 'RateAmountMessage', 'Rate',
  'BaseByGuestAmt', 'Error', 'Warning', 'HotelReservation', 'RoomStay', 'RoomType', 'RatePlan', 'RoomRate', 'GuestCount',
  'ResGuest', 'ProfileInfo', 'HotelReservationID', 'UniqueID', 'Source', 'Email', 'Telephone', 'GivenName', 'Comment',
  'HotelInvCountRequest', 'Text',
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

/** Builds compact XML; attribute keys start with `@`, text is `#text`; `&<>"` are escaped. */
export const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: false, suppressEmptyNode: true, suppressBooleanAttributes: false });

export type XNode = Record<string, unknown>;

export interface WsseCredentials {
  username: string;
  password: string;
}

export interface SoapFault {
  /** faultcode (1.1) or Code/Value + Subcode/Value (1.2), prefixes kept off: "Client", "Sender", "FailedAuthentication"... */
  codes: string[];
  reason: string;
}

/** A parsed message: its root element (SOAP Body content when enveloped) and what the envelope carried. */
export interface OtaDocument {
  rootName: string;
  root: XNode;
  /** `/Envelope/Body/OTA_X` or `/OTA_X`: the prefix to name paths in messages. */
  rootPath: string;
  soap: '1.1' | '1.2' | null;
  wsse: WsseCredentials | null;
  fault: SoapFault | null;
}

export class XmlSyntaxError extends Error {
  constructor(message: string, readonly path: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

/** An element's value as a node: text-only elements become `{ '#text': ... }`, empty ones `{}`. */
export function asNode(value: unknown): XNode | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value === '' ? {} : { '#text': value };
  if (Array.isArray(value)) return asNode(value[0]);
  if (typeof value === 'object') return value as XNode;
  return { '#text': String(value) };
}

export function child(node: XNode | undefined, name: string): XNode | undefined {
  return node ? asNode(node[name]) : undefined;
}

export function children(node: XNode | undefined, name: string): XNode[] {
  if (!node) return [];
  const v = node[name];
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => asNode(x) ?? {});
}

/** A non-empty, trimmed attribute value, or undefined. */
export function attr(node: XNode | undefined, name: string): string | undefined {
  const v = node?.[`@${name}`];
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** A non-empty, trimmed text content, or undefined. */
export function text(node: XNode | undefined): string | undefined {
  const v = node?.['#text'];
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function firstElement(node: XNode): [string, XNode] | undefined {
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@') || k === '#text' || k.startsWith('?')) continue;
    return [k, asNode(v) ?? {}];
  }
  return undefined;
}

function readWsse(header: XNode | undefined): WsseCredentials | null {
  const token = child(child(header, 'Security'), 'UsernameToken');
  if (!token) return null;
  const username = text(child(token, 'Username'));
  const password = text(child(token, 'Password'));
  if (username === undefined || password === undefined) return null;
  return { username, password };
}

function readFault(fault: XNode): SoapFault {
  const strip = (s: string) => s.replace(/^.*:/, '');
  const codes: string[] = [];
  const fc = text(child(fault, 'faultcode'));
  if (fc) codes.push(...fc.split('.').map(strip));
  let code = child(fault, 'Code');
  while (code) {
    const v = text(child(code, 'Value'));
    if (v) codes.push(strip(v));
    code = child(code, 'Subcode');
  }
  const reason = text(child(fault, 'faultstring')) ?? text(child(child(fault, 'Reason'), 'Text')) ?? 'SOAP Fault without a reason';
  return { codes, reason };
}

/**
 * Parses one message, bare or inside a SOAP 1.1/1.2 envelope. Throws XmlSyntaxError (with the
 * line/column or the path) for text that is not well-formed XML, a DOCTYPE (refused: entity
 * expansion), or an envelope without a Body element.
 */
export function parseOta(xml: string): OtaDocument {
  if (typeof xml !== 'string' || xml.trim() === '') throw new XmlSyntaxError('the body is empty', '/');
  if (/<!DOCTYPE/i.test(xml)) throw new XmlSyntaxError('a DOCTYPE is not accepted', '/');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new XmlSyntaxError(`not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`, '/');
  const doc = parser.parse(xml) as XNode;
  const top = firstElement(doc);
  if (!top) throw new XmlSyntaxError('no root element', '/');
  const [name, node] = top;
  if (name !== 'Envelope') return { rootName: name, root: node, rootPath: `/${name}`, soap: null, wsse: null, fault: null };
  const soap = xml.includes(SOAP12_NS) ? '1.2' : '1.1';
  const body = child(node, 'Body');
  if (!body) throw new XmlSyntaxError('a SOAP Envelope without a Body', '/Envelope/Body');
  const wsse = readWsse(child(node, 'Header'));
  const inner = firstElement(body);
  if (!inner) throw new XmlSyntaxError('an empty SOAP Body', '/Envelope/Body');
  const [innerName, innerNode] = inner;
  return {
    rootName: innerName,
    root: innerNode,
    rootPath: `/Envelope/Body/${innerName}`,
    soap,
    wsse,
    fault: innerName === 'Fault' ? readFault(innerNode) : null,
  };
}

/** The root element of an OTA message with its namespace, Version, EchoToken and TimeStamp. */
export function otaRoot(attrs: { echoToken: string | null; timeStamp: number }, extra: XNode = {}): XNode {
  return {
    '@xmlns': OTA_NS,
    ...(attrs.echoToken !== null ? { '@EchoToken': attrs.echoToken } : {}),
    '@TimeStamp': new Date(attrs.timeStamp).toISOString(),
    '@Version': OTA_VERSION,
    ...extra,
  };
}

/** Serialises `{ [rootName]: root }` bare, or in a SOAP envelope (with a UsernameToken header when credentials are given). */
export function serialise(rootName: string, root: XNode, envelope?: { soap: '1.1' | '1.2'; wsse: WsseCredentials | null }): string {
  const decl = { '?xml': { '@version': '1.0', '@encoding': 'UTF-8' } };
  if (!envelope) return builder.build({ ...decl, [rootName]: root }) as string;
  const header = envelope.wsse
    ? {
        'soap:Header': {
          'wsse:Security': {
            '@xmlns:wsse': WSSE_NS,
            '@soap:mustUnderstand': envelope.soap === '1.1' ? '1' : 'true',
            'wsse:UsernameToken': {
              'wsse:Username': envelope.wsse.username,
              'wsse:Password': { '@Type': WSSE_PASSWORD_TEXT, '#text': envelope.wsse.password },
            },
          },
        },
      }
    : {};
  return builder.build({
    ...decl,
    'soap:Envelope': {
      '@xmlns:soap': envelope.soap === '1.1' ? SOAP11_NS : SOAP12_NS,
      ...header,
      'soap:Body': { [rootName]: root },
    },
  }) as string;
}

/** A SOAP Fault document (what a channel answers for bad credentials), for tests and the sandbox. */
export function soapFault(soap: '1.1' | '1.2', code: string, reason: string): string {
  const fault =
    soap === '1.1'
      ? { faultcode: code, faultstring: reason }
      : { 'soap:Code': { 'soap:Value': 'soap:Sender', 'soap:Subcode': { 'soap:Value': code } }, 'soap:Reason': { 'soap:Text': { '@xml:lang': 'en', '#text': reason } } };
  return builder.build({
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    'soap:Envelope': { '@xmlns:soap': soap === '1.1' ? SOAP11_NS : SOAP12_NS, 'soap:Body': { 'soap:Fault': fault } },
  }) as string;
}
