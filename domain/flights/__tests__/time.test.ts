import { AIRPORTS } from '../airports';
import { instantToLocal, isLocalDateTime, localToInstant, zoneOffsetMs } from '../time';

const zone = (code: string) => AIRPORTS.get(code)!.timeZone;
const at = (iso: string) => Date.parse(iso);
const minutes = (from: number, to: number) => (to - from) / 60_000;

/** A segment's two ends as instants, from the local times a supplier sends. */
const leg = (from: string, departs: string, to: string, arrives: string) => ({
  departure: localToInstant(departs, zone(from)),
  arrival: localToInstant(arrives, zone(to)),
});

describe('isLocalDateTime', () => {
  it.each([
    ['2027-03-14T21:40', true],
    ['2027-03-14T21:40:30', true],
    ['2028-02-29T10:00', true],
    ['2027-02-29T10:00', false],
    ['2027-04-31T10:00', false],
    ['2027-01-01T24:00', false],
    ['2027-01-01T10:60', false],
    ['2027-01-01 10:00', false],
    ['2027-01-01T10:00Z', false],
    ['2027-01-01T10:00+01:00', false],
    ['2027-1-01T10:00', false],
    ['', false],
  ])('%s -> %s', (text, ok) => expect(isLocalDateTime(text)).toBe(ok));
});

describe('localToInstant / instantToLocal', () => {
  it('reads a local time in its airport zone, winter and summer', () => {
    expect(localToInstant('2027-01-15T09:30', zone('LHR'))).toBe(at('2027-01-15T09:30:00Z'));
    expect(localToInstant('2027-07-15T09:30', zone('LHR'))).toBe(at('2027-07-15T08:30:00Z'));
    expect(localToInstant('2027-07-15T09:30', zone('DEL'))).toBe(at('2027-07-15T04:00:00Z')); // +05:30
    expect(localToInstant('2027-07-15T09:30:45', zone('JFK'))).toBe(at('2027-07-15T13:30:45Z'));
    expect(() => localToInstant('2027-02-30T09:30', zone('LHR'))).toThrow(RangeError);
  });

  it('round-trips every quarter hour of a year in zones with and without DST (outside the repeated hour)', () => {
    for (const code of ['LHR', 'JFK', 'SYD', 'DEL', 'HNL']) {
      const tz = zone(code);
      for (let t = at('2027-01-01T00:00:00Z'); t < at('2028-01-01T00:00:00Z'); t += 6 * 3_600_000 + 15 * 60_000) {
        const local = instantToLocal(t, tz);
        const back = localToInstant(local, tz);
        // In a repeated (fall-back) hour the first occurrence is chosen, an hour before the second.
        expect([t, t - 3_600_000]).toContain(back);
        expect(instantToLocal(back, tz)).toBe(local);
      }
    }
  });

  it('an overnight flight: LHR 21:40 to JFK 01:55 the next day is 8 h 15 in the air', () => {
    const { departure, arrival } = leg('LHR', '2027-03-14T21:40', 'JFK', '2027-03-15T01:55');
    expect(departure).toBe(at('2027-03-14T21:40:00Z'));
    expect(minutes(departure, arrival)).toBe(8 * 60 + 15); // New York already on EDT (from 14 March), London not yet on BST
  });

  it('a multi-day itinerary: SYD 21:00 lands at LAX at 15:00 the same calendar day, "before" it left', () => {
    const { departure, arrival } = leg('SYD', '2027-01-20T21:00', 'LAX', '2027-01-20T15:00');
    expect(arrival - departure).toBeGreaterThan(0);
    expect(minutes(departure, arrival)).toBe(13 * 60); // SYD +11 (AEDT), LAX -8 (PST)
    // And back: LAX 22:30 arrives SYD two calendar days later.
    const back = leg('LAX', '2027-01-25T22:30', 'SYD', '2027-01-27T08:30');
    expect(minutes(back.departure, back.arrival)).toBe(15 * 60);
  });

  it('across the date line: AKL to HNL arrives the previous calendar day; HNL to AKL skips a day', () => {
    const east = leg('AKL', '2027-01-10T23:45', 'HNL', '2027-01-10T09:15');
    expect(east.departure).toBe(at('2027-01-10T10:45:00Z')); // AKL +13 (NZDT)
    expect(minutes(east.departure, east.arrival)).toBe(8 * 60 + 30);
    const west = leg('HNL', '2027-01-12T14:30', 'AKL', '2027-01-13T22:30');
    expect(minutes(west.departure, west.arrival)).toBe(9 * 60);
    expect(instantToLocal(west.arrival, zone('AKL')).slice(0, 10)).toBe('2027-01-13');
    expect(instantToLocal(west.arrival, zone('HNL')).slice(0, 10)).toBe('2027-01-12');
  });

  it('a DST gap: a wall time skipped by spring-forward is taken as the same wall time after the change', () => {
    // London 28 March 2027: 01:00 GMT -> 02:00 BST; 01:30 does not exist.
    expect(localToInstant('2027-03-28T01:30', zone('LHR'))).toBe(at('2027-03-28T01:30:00Z'));
    expect(instantToLocal(localToInstant('2027-03-28T01:30', zone('LHR')), zone('LHR'))).toBe('2027-03-28T02:30');
    // New York 14 March 2027: 02:00 EST -> 03:00 EDT.
    expect(localToInstant('2027-03-14T02:30', zone('JFK'))).toBe(at('2027-03-14T07:30:00Z'));
    // Auckland 26 September 2027: 02:00 NZST -> 03:00 NZDT.
    expect(localToInstant('2027-09-26T02:15', zone('AKL'))).toBe(at('2027-09-25T14:15:00Z'));
    // The minutes either side of the gap are exact.
    expect(localToInstant('2027-03-28T00:59', zone('LHR'))).toBe(at('2027-03-28T00:59:00Z'));
    expect(localToInstant('2027-03-28T02:00', zone('LHR'))).toBe(at('2027-03-28T01:00:00Z'));
  });

  it('a repeated hour (fall-back) takes the first occurrence; a flight through the change keeps its true duration', () => {
    // London 31 October 2027: 02:00 BST -> 01:00 GMT; 01:30 happens twice.
    expect(localToInstant('2027-10-31T01:30', zone('LHR'))).toBe(at('2027-10-31T00:30:00Z'));
    // Sydney 4 April 2027: 03:00 AEDT -> 02:00 AEST.
    expect(localToInstant('2027-04-04T02:30', zone('SYD'))).toBe(at('2027-04-03T15:30:00Z'));
    // An overnight LHR -> JFK departure on the night the clocks go back in London (JFK still on EDT).
    const { departure, arrival } = leg('LHR', '2027-10-30T23:30', 'JFK', '2027-10-31T03:00');
    expect(minutes(departure, arrival)).toBe(8 * 60 + 30);
  });

  it('zoneOffsetMs reports the offset in force at an instant', () => {
    expect(zoneOffsetMs(at('2027-07-01T00:00:00Z'), zone('LHR'))).toBe(3_600_000);
    expect(zoneOffsetMs(at('2027-01-01T00:00:00Z'), zone('LHR'))).toBe(0);
    expect(zoneOffsetMs(at('2027-01-01T00:00:00Z'), zone('DEL'))).toBe(19_800_000);
    expect(zoneOffsetMs(at('2027-01-01T00:00:00Z'), zone('HNL'))).toBe(-36_000_000);
    expect(zoneOffsetMs(at('2027-03-28T00:59:59Z'), zone('LHR'))).toBe(0);
    expect(zoneOffsetMs(at('2027-03-28T01:00:00Z'), zone('LHR'))).toBe(3_600_000);
  });
});
