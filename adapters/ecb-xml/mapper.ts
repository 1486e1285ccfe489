import { XMLParser } from 'fast-xml-parser';
import type { RateQuote } from '../../domain/fx/rates';
import { WireEnvelope } from './wire.schema';

export const ECB_SOURCE = 'ECB';
export const ECB_BASE = 'EUR';

/** Fixed once for this adapter: attributes kept as strings, namespaces dropped, Cubes always arrays. */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => name === 'Cube',
});

/** The feed is not what the ECB publishes; `problems` names each deviation. */
export class EcbFeedMalformedError extends Error {
  constructor(readonly problems: string[]) {
    super(`ECB reference-rate feed is malformed: ${problems.join('; ')}`);
    this.name = 'EcbFeedMalformedError';
  }
}

/** ECB euro reference-rate XML (daily, 90-day or full history) -> rate quotes, 1 EUR = rate quote. */
export function parseEcbRates(xml: string): RateQuote[] {
  let raw: unknown;
  try {
    raw = parser.parse(xml, true);
  } catch (err) {
    throw new EcbFeedMalformedError([`not well-formed XML: ${err instanceof Error ? err.message : String(err)}`]);
  }
  const parsed = WireEnvelope.safeParse(raw);
  if (!parsed.success) {
    throw new EcbFeedMalformedError(parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`));
  }
  return parsed.data.Envelope.Cube[0]!.Cube.flatMap((day) =>
    day.Cube.map((r) => ({ source: ECB_SOURCE, base: ECB_BASE, quote: r.currency, rate: r.rate, rateDate: day.time })),
  );
}
