import { z } from 'zod';
import { CABINS, PASSENGER_TYPES } from '../../domain/flights/model';
import { isIsoDate } from '../../domain/time/instant';

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
