import { z } from 'zod';
import { CABINS, PASSENGER_TYPES } from '../../domain/flights/model';
import { isIsoDate } from '../../domain/time/instant';
import { EpochMs, MoneyView } from './answer.schema';

const Airport = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter IATA code in capitals, e.g. "LHR"');
const IsoDate = z.string().refine(isIsoDate, 'must be a real date YYYY-MM-DD');

/** `POST /flights/search`: one supplier, one to six slices, one to nine travellers. */
export const FlightSearchRequest = z
  .object({
    supplier: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be a configured supplier name, e.g. "duffel" or "ndc"'),
    slices: z.array(z.object({ origin: Airport, destination: Airport, departureDate: IsoDate }).strict()).min(1).max(6),
    passengers: z
      .array(z.object({ type: z.enum(PASSENGER_TYPES), age: z.number().int().min(0).max(120).optional() }).strict())
      .min(1)
      .max(9),
    cabin: z.enum(CABINS).default('ECONOMY'),
    maxOffers: z.number().int().min(1).max(200).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    body.slices.forEach((s, i) => {
      if (s.origin === s.destination) ctx.addIssue({ code: 'custom', path: ['slices', i, 'destination'], message: 'must differ from origin' });
      if (i > 0 && s.departureDate < body.slices[i - 1]!.departureDate) {
        ctx.addIssue({ code: 'custom', path: ['slices', i, 'departureDate'], message: 'must not be before the previous slice' });
      }
    });
    const adults = body.passengers.filter((p) => p.type === 'ADT').length;
    if (adults === 0) ctx.addIssue({ code: 'custom', path: ['passengers'], message: 'at least one adult (ADT) must travel' });
    if (body.passengers.filter((p) => p.type === 'INF').length > adults) {
      ctx.addIssue({ code: 'custom', path: ['passengers'], message: 'each infant (INF) travels on an adult lap: no more infants than adults' });
    }
  });
export type FlightSearchRequest = z.infer<typeof FlightSearchRequest>;

// ---------------------------------------------------------------------------------------------
// Answers (OpenAPI response schema; flights.api.test.ts parses the real answer with it). Mirrors
// `Offer` (domain/flights/model.ts) as every flight adapter maps its supplier's offers.

const AirportTime = z.strictObject({
  airport: z.string(),
  timeZone: z.string().meta({ description: 'IANA zone of the airport' }),
  local: z.string().meta({ description: 'Local wall-clock time, YYYY-MM-DDTHH:mm (no offset)' }),
  at: EpochMs.meta({ description: 'The same moment in UTC' }),
});

const Penalty = z.strictObject({ allowed: z.boolean(), fee: MoneyView.nullable().meta({ description: 'null: free, or unknown when not allowed' }) });

const OfferView = z.strictObject({
  id: z.string().meta({ description: 'Put it in the booking’s FLIGHT component as `offerId` before `expiresAt`' }),
  supplier: z.string(),
  slices: z.array(
    z.strictObject({
      origin: z.string(),
      destination: z.string(),
      segments: z.array(
        z.strictObject({
          carrier: z.string().meta({ description: 'Marketing carrier IATA code' }),
          flightNumber: z.string(),
          operatingCarrier: z.string().optional().meta({ description: 'When it differs (codeshare)' }),
          departure: AirportTime,
          arrival: AirportTime,
          durationMinutes: z.number().int(),
          cabin: z.enum(CABINS),
          bookingClass: z.string(),
          stops: z.number().int().meta({ description: 'Technical stops inside this flight number' }),
          aircraft: z.string().optional(),
        }),
      ),
      durationMinutes: z.number().int(),
    }),
  ),
  fares: z.array(
    z.strictObject({
      passengerType: z.enum(PASSENGER_TYPES),
      count: z.number().int(),
      fare: z.strictObject({ fareBasis: z.string(), base: MoneyView, taxes: z.array(z.strictObject({ code: z.string(), amount: MoneyView })), total: MoneyView }),
    }),
  ),
  total: MoneyView.meta({ description: 'All travellers together' }),
  base: MoneyView,
  taxTotal: MoneyView,
  seatsLeft: z.array(z.strictObject({ bookingClass: z.string(), seats: z.number().int() })),
  conditions: z.strictObject({ change: Penalty, refund: Penalty }),
  expiresAt: EpochMs,
  instantPaymentRequired: z.boolean().meta({ description: 'true: paid and ticketed at booking; false: the order can be held' }),
  ticketingDeadline: EpochMs.nullable().meta({ description: 'Latest moment to pay and ticket a held order' }),
  validatingCarrier: z.string(),
});

/** `POST /flights/search`: the supplier asked and its offers. */
export const FlightSearchResponse = z.strictObject({ supplier: z.string(), offers: z.array(OfferView) }).meta({ id: 'FlightOffers' });
