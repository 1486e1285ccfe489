/**
 * NDC AirShoppingRS throughput: a 500-offer answer parsed + validated (zod) + mapped to domain
 * offers by adapters/ndc-xml, against a bare fast-xml-parser parse of the same bytes, same run.
 * Goal: ratio (full / bare, in offers/s) >= 0.5. Run: `npx tsx bench/ndc-airshopping.bench.ts`.
 */
import { XMLParser } from 'fast-xml-parser';
import { mapAirShoppingRS } from '../adapters/ndc-xml/mapper';

const OFFERS = Number(process.env.OFFERS ?? 500);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const NS = 'http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersMessage';
const ROUTES = [['LHR', 'JFK', 475], ['LHR', 'DXB', 420], ['CDG', 'SIN', 750], ['FRA', 'NRT', 690], ['AMS', 'LAX', 660]] as const;
const CARRIERS = ['BA', 'VS', 'AF', 'KL', 'LH', 'EK', 'QR', 'SQ'];

function pad(n: number, w = 2) {
  return String(n).padStart(w, '0');
}

/** One journey of two segments per offer; ADT×2 + CHD×1 items; three taxes each. */
function airShopping(offers: number): string {
  const segs: string[] = [];
  const journeys: string[] = [];
  const items: string[] = [];
  for (let i = 0; i < offers; i++) {
    const [o, d, mins] = ROUTES[i % ROUTES.length]!;
    const c = CARRIERS[i % CARRIERS.length]!;
    const depH = 6 + (i % 14);
    const seg = (k: number, from: string, to: string, h: number, m: number) => {
      const arr = new Date(Date.UTC(2027, 5, 10, h, 0) + m * 60_000);
      return `<PaxSegment><PaxSegmentID>S${i}-${k}</PaxSegmentID><Dep><IATA_LocationCode>${from}</IATA_LocationCode><AircraftScheduledDateTime>2027-06-10T${pad(h)}:00:00</AircraftScheduledDateTime></Dep><Arrival><IATA_LocationCode>${to}</IATA_LocationCode><AircraftScheduledDateTime>${arr.toISOString().slice(0, 19)}</AircraftScheduledDateTime></Arrival><MarketingCarrierInfo><CarrierDesigCode>${c}</CarrierDesigCode><MarketingCarrierFlightNumberText>${100 + i}</MarketingCarrierFlightNumberText></MarketingCarrierInfo><CabinType><CabinTypeCode>M</CabinTypeCode></CabinType><RBD_Code>M</RBD_Code><DatedOperatingLeg><IATA_AircraftType><IATA_AircraftTypeCode>777</IATA_AircraftTypeCode></IATA_AircraftType></DatedOperatingLeg></PaxSegment>`;
    };
    // Local times are read in each airport's zone; a fixed +mins keeps arrival after departure whatever the zones.
    segs.push(seg(1, o, d, depH, mins + 24 * 60), seg(2, d, o, depH + 2, mins + 3 * 24 * 60));
    journeys.push(`<PaxJourney><PaxJourneyID>J${i}</PaxJourneyID><PaxSegmentRefID>S${i}-1</PaxSegmentRefID></PaxJourney><PaxJourney><PaxJourneyID>R${i}</PaxJourneyID><PaxSegmentRefID>S${i}-2</PaxSegmentRefID></PaxJourney>`);
    const base = 300 + (i % 97);
    const adt = (base + 87 + 55.7 + 120).toFixed(2);
    const chd = (base * 0.75 + 55.7 + 120).toFixed(2);
    const total = (Number(adt) * 2 + Number(chd)).toFixed(2);
    const tax = (a: string, code: string) => `<Tax><Amount CurCode="GBP">${a}</Amount><TaxCode>${code}</TaxCode></Tax>`;
    items.push(
      `<Offer><OfferID>OF-${i}</OfferID><OwnerCode>${c}</OwnerCode><OfferExpirationDateTime>2027-03-01T10:30:00Z</OfferExpirationDateTime><PaymentTimeLimitDateTime>2027-03-04T10:00:00Z</PaymentTimeLimitDateTime><InstantPaymentRequiredInd>false</InstantPaymentRequiredInd><TotalPrice><TotalAmount CurCode="GBP">${total}</TotalAmount></TotalPrice><PaxJourneyRefID>J${i}</PaxJourneyRefID><PaxJourneyRefID>R${i}</PaxJourneyRefID><PenaltyRefID>PC</PenaltyRefID><PenaltyRefID>PX</PenaltyRefID><SeatAvailability><RBD_Code>M</RBD_Code><SeatsLeftQty>${1 + (i % 9)}</SeatsLeftQty></SeatAvailability>` +
        `<OfferItem><OfferItemID>OF-${i}-A</OfferItemID><Price><TotalAmount CurCode="GBP">${adt}</TotalAmount><BaseAmount CurCode="GBP">${base.toFixed(2)}</BaseAmount><TaxSummary>${tax('87.00', 'GB')}${tax('55.70', 'UB')}${tax('120.00', 'YQ')}</TaxSummary></Price><FareDetail><PaxRefID>PAX1</PaxRefID><PaxRefID>PAX2</PaxRefID><FareComponent><FareBasisCode>MSTD</FareBasisCode></FareComponent></FareDetail></OfferItem>` +
        `<OfferItem><OfferItemID>OF-${i}-C</OfferItemID><Price><TotalAmount CurCode="GBP">${chd}</TotalAmount><BaseAmount CurCode="GBP">${(base * 0.75).toFixed(2)}</BaseAmount><TaxSummary>${tax('55.70', 'UB')}${tax('120.00', 'YQ')}</TaxSummary></Price><FareDetail><PaxRefID>PAX3</PaxRefID><FareComponent><FareBasisCode>MSTD/CH</FareBasisCode></FareComponent></FareDetail></OfferItem></Offer>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?><IATA_AirShoppingRS xmlns="${NS}"><PayloadAttributes><VersionNumber>21.3</VersionNumber></PayloadAttributes><Response><DataLists>` +
    `<PaxList><Pax><PaxID>PAX1</PaxID><PTC>ADT</PTC></Pax><Pax><PaxID>PAX2</PaxID><PTC>ADT</PTC></Pax><Pax><PaxID>PAX3</PaxID><PTC>CHD</PTC></Pax></PaxList>` +
    `<PaxJourneyList>${journeys.join('')}</PaxJourneyList><PaxSegmentList>${segs.join('')}</PaxSegmentList>` +
    `<PenaltyList><Penalty><PenaltyID>PC</PenaltyID><TypeCode>Change</TypeCode><AllowedInd>true</AllowedInd><PenaltyAmount CurCode="GBP">75.00</PenaltyAmount></Penalty><Penalty><PenaltyID>PX</PenaltyID><TypeCode>Cancel</TypeCode><AllowedInd>false</AllowedInd></Penalty></PenaltyList>` +
    `</DataLists><OffersGroup><CarrierOffers>${items.join('')}</CarrierOffers></OffersGroup></Response></IATA_AirShoppingRS>`
  );
}

const xml = airShopping(OFFERS);
const mb = Buffer.byteLength(xml) / 1e6;
// The bare baseline: the same parser options minus nothing the adapter adds on top (validation, mapping).
const bare = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false, parseAttributeValue: false });

function time(fn: () => unknown): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const check = mapAirShoppingRS(xml, '21.3', 'bench');
if (check.length !== OFFERS) throw new Error(`mapped ${check.length} offers, expected ${OFFERS}`);
for (let i = 0; i < 3; i++) {
  bare.parse(xml);
  mapAirShoppingRS(xml, '21.3', 'bench');
}
const bareMs: number[] = [];
const fullMs: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  bareMs.push(time(() => bare.parse(xml)));
  fullMs.push(time(() => mapAirShoppingRS(xml, '21.3', 'bench')));
}
const b = median(bareMs);
const f = median(fullMs);
const row = (name: string, ms: number) => `${name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  ${((OFFERS / ms) * 1000).toFixed(0).padStart(8)} offers/s  ${((mb / ms) * 1000).toFixed(1).padStart(6)} MB/s`;
console.log(`AirShoppingRS: ${OFFERS} offers, ${mb.toFixed(2)} MB, median of ${ROUNDS} rounds`);
console.log(row('bare XMLParser.parse', b));
console.log(row('parse + validate + map (adapter)', f));
console.log(`ratio (adapter / bare throughput): ${(b / f).toFixed(2)} (goal >= 0.5)`);
