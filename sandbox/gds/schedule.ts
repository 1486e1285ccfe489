import { airport } from '../../domain/flights/airports';
import type { AirportTime } from '../../domain/flights/model';
import { instantToLocal, localToInstant } from '../../domain/flights/time';
import { MINUTE_MS, isIsoDate } from '../../domain/time/instant';

/**
 * The sandbox GDS timetable: real routes between airports of domain/flights/airports.ts, flown by
 * real carriers with their usual flight numbers, a LOCAL departure time, a block time and the days
 * of the week it operates. Deterministic: the same search always finds the same flights.
 *
 * Times follow the airline convention: departure is a wall-clock time in the origin's zone; the
 * arrival is departure instant + block minutes, written back as a wall-clock time in the
 * destination's zone (so LAX 22:30 → SYD 06:30 two calendar days later, and SYD 10:40 → LAX 06:xx
 * the same calendar day). Durations always come from instants, never from wall-clock arithmetic.
 */

/** ISO day of week: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
const DAILY: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

export interface ScheduledFlight {
  carrier: string;
  flightNumber: string;
  origin: string;
  destination: string;
  /** Local departure time at the origin, `HH:mm`. */
  departs: string;
  blockMinutes: number;
  /** Days of the week (of the LOCAL departure date) it operates. */
  days: readonly IsoWeekday[];
  aircraft: string;
}

const f = (carrier: string, flightNumber: string, origin: string, destination: string, departs: string, blockMinutes: number, aircraft: string, days: readonly IsoWeekday[] = DAILY): ScheduledFlight => ({
  carrier,
  flightNumber,
  origin,
  destination,
  departs,
  blockMinutes,
  days,
  aircraft,
});

export const SCHEDULE: readonly ScheduledFlight[] = [
  // London – New York
  f('BA', '117', 'LHR', 'JFK', '08:25', 475, '777'),
  f('VS', '3', 'LHR', 'JFK', '11:20', 480, 'A350'),
  f('AA', '101', 'LHR', 'JFK', '18:15', 485, '777'),
  f('BA', '112', 'JFK', 'LHR', '18:30', 415, '777'),
  f('VS', '4', 'JFK', 'LHR', '19:30', 410, 'A350'),
  f('AA', '100', 'JFK', 'LHR', '18:10', 420, '777'),
  // London – Paris
  f('BA', '304', 'LHR', 'CDG', '07:15', 75, 'A320'),
  f('AF', '1681', 'LHR', 'CDG', '10:10', 80, 'A320'),
  f('BA', '305', 'CDG', 'LHR', '10:15', 75, 'A320'),
  f('AF', '1680', 'CDG', 'LHR', '08:10', 80, 'A320'),
  // London – Dubai – Singapore
  f('EK', '2', 'LHR', 'DXB', '14:00', 420, 'A380'),
  f('BA', '107', 'LHR', 'DXB', '20:40', 410, '777'),
  f('EK', '1', 'DXB', 'LHR', '07:45', 460, 'A380'),
  f('BA', '106', 'DXB', 'LHR', '09:05', 465, '777'),
  f('EK', '354', 'DXB', 'SIN', '03:30', 470, '777'),
  f('EK', '355', 'SIN', 'DXB', '09:35', 445, '777'),
  f('EK', '414', 'DXB', 'SYD', '10:15', 840, 'A380'), // LHR–SYD one-stop via DXB
  f('EK', '415', 'SYD', 'DXB', '21:45', 870, 'A380'),
  // London – Singapore – Sydney – Auckland
  f('SQ', '317', 'LHR', 'SIN', '09:15', 790, 'A350'),
  f('BA', '11', 'LHR', 'SIN', '20:30', 790, '777'),
  f('SQ', '318', 'SIN', 'LHR', '08:55', 830, 'A350'),
  f('BA', '12', 'SIN', 'LHR', '23:20', 835, '777'),
  f('SQ', '221', 'SIN', 'SYD', '20:40', 455, 'A350'), // overnight: arrives 06:xx the next morning
  f('QF', '2', 'SIN', 'SYD', '18:10', 460, 'A380'),
  f('SQ', '222', 'SYD', 'SIN', '16:50', 490, 'A350'),
  f('QF', '1', 'SYD', 'SIN', '16:00', 485, 'A380'),
  f('QF', '143', 'SYD', 'AKL', '07:00', 180, '737'),
  f('NZ', '102', 'SYD', 'AKL', '09:50', 185, 'A320'),
  f('NZ', '103', 'AKL', 'SYD', '07:00', 215, 'A320'),
  f('QF', '144', 'AKL', 'SYD', '11:00', 210, '737'),
  // London – Nairobi
  f('KQ', '101', 'LHR', 'NBO', '18:40', 510, '787'),
  f('BA', '65', 'LHR', 'NBO', '19:45', 510, '787', [1, 3, 5, 7]),
  f('KQ', '100', 'NBO', 'LHR', '08:15', 535, '787'),
  f('BA', '64', 'NBO', 'LHR', '23:30', 525, '787', [1, 3, 5, 7]),
  // London – Rome (the demo catalog's destination)
  f('BA', '548', 'LHR', 'FCO', '07:25', 150, 'A320'),
  f('AZ', '201', 'LHR', 'FCO', '10:20', 145, 'A320'),
  f('BA', '549', 'FCO', 'LHR', '11:40', 165, 'A320'),
  f('AZ', '208', 'FCO', 'LHR', '17:45', 170, 'A320'),
  // US domestic and trans-Pacific (the date line)
  f('AA', '1', 'JFK', 'LAX', '09:00', 380, 'A321'),
  f('DL', '409', 'JFK', 'LAX', '16:00', 385, 'A321'),
  f('AA', '2', 'LAX', 'JFK', '07:00', 315, 'A321'),
  f('QF', '12', 'LAX', 'SYD', '22:30', 905, 'A380'), // crosses the date line: arrives two calendar days later
  f('DL', '41', 'LAX', 'SYD', '22:00', 900, 'A350'),
  f('QF', '11', 'SYD', 'LAX', '10:40', 820, 'A380'), // arrives the same calendar day, before it left
  f('QF', '4', 'HNL', 'SYD', '14:50', 605, 'A330', [1, 3, 5, 7]),
  f('QF', '3', 'SYD', 'HNL', '17:00', 570, 'A330', [1, 3, 5, 7]),
  // Paris – Tokyo
  f('AF', '276', 'CDG', 'NRT', '11:30', 805, '777', [1, 3, 4, 5, 6, 7]),
  f('JL', '46', 'CDG', 'NRT', '19:30', 800, '787'),
  f('AF', '275', 'NRT', 'CDG', '10:00', 870, '777', [1, 3, 4, 5, 6, 7]),
  f('JL', '45', 'NRT', 'CDG', '11:05', 865, '787'),
  // New York – São Paulo
  f('AA', '951', 'JFK', 'GRU', '21:00', 595, '777'),
  f('LA', '8181', 'JFK', 'GRU', '21:50', 585, '787'),
  f('AA', '950', 'GRU', 'JFK', '22:55', 600, '777'),
  f('LA', '8180', 'GRU', 'JFK', '23:30', 590, '787'),
];

/** Minimum connection time by connecting airport (minutes); others use the default. */
export const MIN_CONNECTION_MINUTES: Readonly<Record<string, number>> = { LHR: 90, DXB: 75, SIN: 60, SYD: 90, JFK: 120, LAX: 120, CDG: 90 };
export const DEFAULT_MIN_CONNECTION_MINUTES = 60;
/** Longest wait at a connecting airport the sandbox offers. */
export const MAX_CONNECTION_MINUTES = 24 * 60;

/** One scheduled flight on one local departure date, with its times resolved. */
export interface DatedLeg {
  flight: ScheduledFlight;
  /** Local departure date at the origin (the inventory key). */
  date: string;
  departure: AirportTime;
  arrival: AirportTime;
  durationMinutes: number;
}

export function isoWeekday(date: string): IsoWeekday {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return (d === 0 ? 7 : d) as IsoWeekday;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function zoneOf(code: string): string {
  const a = airport(code);
  if (!a) throw new RangeError(`Unknown airport ${code}`);
  return a.timeZone;
}

/** A scheduled flight on a local departure date (whether or not it operates that day). */
export function datedLeg(flight: ScheduledFlight, date: string): DatedLeg {
  const depZone = zoneOf(flight.origin);
  const arrZone = zoneOf(flight.destination);
  const local = `${date}T${flight.departs}`;
  const depAt = localToInstant(local, depZone);
  const arrAt = depAt + flight.blockMinutes * MINUTE_MS;
  return {
    flight,
    date,
    departure: { airport: flight.origin, timeZone: depZone, local: instantToLocal(depAt, depZone), at: depAt },
    arrival: { airport: flight.destination, timeZone: arrZone, local: instantToLocal(arrAt, arrZone), at: arrAt },
    durationMinutes: Math.round((arrAt - depAt) / MINUTE_MS),
  };
}

/** The flights from `origin` to `destination` departing on local date `date`, earliest first. */
export function legsOn(origin: string, destination: string, date: string): DatedLeg[] {
  if (!isIsoDate(date)) throw new RangeError(`Not a calendar date: ${date}`);
  const day = isoWeekday(date);
  return SCHEDULE.filter((s) => s.origin === origin && s.destination === destination && s.days.includes(day))
    .map((s) => datedLeg(s, date))
    .sort((a, b) => a.departure.at - b.departure.at);
}

/** Finds a scheduled flight by carrier and number (and route, numbers being unique per route here). */
export function findFlight(carrier: string, flightNumber: string): ScheduledFlight | undefined {
  return SCHEDULE.find((s) => s.carrier === carrier && s.flightNumber === flightNumber);
}

/**
 * Direct flights and one-stop connections from `origin` to `destination` leaving on local date
 * `date`: the second leg leaves the connecting airport at least its minimum connection time after
 * the first arrives, and at most 24 h later. Sorted by departure, then total duration.
 */
export function itineraries(origin: string, destination: string, date: string): DatedLeg[][] {
  if (!airport(origin)) throw new RangeError(`Unknown airport ${origin}`);
  if (!airport(destination)) throw new RangeError(`Unknown airport ${destination}`);
  const found: DatedLeg[][] = legsOn(origin, destination, date).map((leg) => [leg]);
  const vias = new Set(SCHEDULE.filter((s) => s.origin === origin && s.destination !== destination).map((s) => s.destination));
  for (const via of vias) {
    if (via === origin) continue;
    const mct = MIN_CONNECTION_MINUTES[via] ?? DEFAULT_MIN_CONNECTION_MINUTES;
    for (const first of legsOn(origin, via, date)) {
      // The onward flight can leave on the arrival's local date or the day after.
      const arrivalDate = first.arrival.local.slice(0, 10);
      const onward = [...legsOn(via, destination, arrivalDate), ...legsOn(via, destination, addDays(arrivalDate, 1))];
      for (const second of onward) {
        const wait = (second.departure.at - first.arrival.at) / MINUTE_MS;
        if (wait >= mct && wait <= MAX_CONNECTION_MINUTES) found.push([first, second]);
      }
    }
  }
  const span = (legs: DatedLeg[]) => legs[legs.length - 1]!.arrival.at - legs[0]!.departure.at;
  return found.sort((a, b) => a[0]!.departure.at - b[0]!.departure.at || span(a) - span(b));
}
