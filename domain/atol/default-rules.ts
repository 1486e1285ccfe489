import type { AtolRule } from './classification';
import type { ContributionRate } from './contribution';

/**
 * UK ATOL classification as of 2026 (ATOL Regulations 2012 as amended with the Package Travel and
 * Linked Travel Arrangements Regulations 2018, in force 1 July 2018), as data. Evaluated by
 * priority, first match wins. A change is a new version of a rule (same name, later
 * `effectiveFrom`); it applies to bookings made on or after that date only.
 *
 * "Other travel components" are accommodation, transfers, car hire, tours, cruises and other
 * tourist services; travel insurance is ancillary and does not make a flight a package.
 */
export const DEFAULT_ATOL_RULES: readonly AtolRule[] = [
  {
    // ATOL protects sales made in the UK; a seller established elsewhere is outside it.
    name: 'seller-outside-uk',
    priority: 10,
    effectiveFrom: '2018-07-01',
    effectiveTo: null,
    criteria: { sellerCountry: { notIn: ['GB'] } },
    classification: 'NOT_APPLICABLE',
  },
  {
    // ATOL covers air travel: with no flight there is nothing to license (PTR 2018 cover applies instead).
    name: 'no-flight',
    priority: 20,
    effectiveFrom: '2018-07-01',
    effectiveTo: null,
    criteria: { hasFlight: false },
    classification: 'NOT_APPLICABLE',
  },
  {
    // Further services booked through a linked click-through within 24 h under separate
    // contracts: a linked travel arrangement, outside ATOL (PTR 2018 reg. 2(5), 26).
    name: 'linked-travel-arrangement',
    priority: 30,
    effectiveFrom: '2018-07-01',
    effectiveTo: null,
    criteria: { linkedArrangement: true },
    classification: 'LINKED_TRAVEL_ARRANGEMENT',
  },
  {
    // Flight sold together with another travel service: a package, ATOL protected.
    name: 'flight-package',
    priority: 40,
    effectiveFrom: '2018-07-01',
    effectiveTo: null,
    criteria: { hasFlight: true, otherComponents: { min: 1, of: ['hotel', 'transfer', 'car', 'tour', 'cruise', 'other'] } },
    classification: 'PACKAGE',
  },
  {
    // Flight only, with a confirmed ticket issued at once: exempt (ATOL Regulations 2012 reg. 12).
    name: 'flight-only-ticket-issued',
    priority: 50,
    effectiveFrom: '2018-07-01',
    effectiveTo: null,
    criteria: { hasFlight: true, otherComponents: { max: 0, of: ['hotel', 'transfer', 'car', 'tour', 'cruise', 'other'] }, ticketIssuedImmediately: true },
    classification: 'FLIGHT_ONLY_EXEMPT',
  },
  {
    // Flight only without an immediate ticket: ATOL protected.
    name: 'flight-only',
    priority: 60,
    effectiveFrom: '2018-07-01',
    effectiveTo: null,
    criteria: { hasFlight: true, otherComponents: { max: 0, of: ['hotel', 'transfer', 'car', 'tour', 'cruise', 'other'] } },
    classification: 'FLIGHT_ONLY',
  },
];

/** The ATOL Protection Contribution: £2.50 per protected passenger since 1 April 2012. */
export const DEFAULT_CONTRIBUTION_RATES: readonly ContributionRate[] = [{ effectiveFrom: '2012-04-01', perPassenger: '2.50', currency: 'GBP' }];

export type ReturnFrequency = 'MONTHLY' | 'QUARTERLY';

export interface TurnoverBand {
  band: string;
  description: string;
  returnFrequency: ReturnFrequency;
}

/**
 * How often a licence files its passenger returns, by its licensable-turnover band: larger
 * licences file monthly, the rest quarterly. The CAA sets the frequency in each licence's terms;
 * these thresholds are configuration: pass another table to the store to match yours.
 */
export const DEFAULT_TURNOVER_BANDS: readonly TurnoverBand[] = [
  { band: 'UP_TO_5M', description: 'Licensable turnover up to GBP 5 million a year', returnFrequency: 'QUARTERLY' },
  { band: '5M_TO_50M', description: 'Licensable turnover from GBP 5 million to 50 million a year', returnFrequency: 'QUARTERLY' },
  { band: 'OVER_50M', description: 'Licensable turnover over GBP 50 million a year', returnFrequency: 'MONTHLY' },
];
