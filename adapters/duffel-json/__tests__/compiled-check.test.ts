import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { compileFastCheck, REJECT } from '../compiled-check';
import { mapOffersPage } from '../mapper';
import { WireOffer } from '../wire.schema';

/**
 * The compiled check must never accept what zod refuses, and when it accepts, every value zod
 * would output must be the one the mapper reads. Each fixture offer is mutated at every path
 * (each field, object and array element) with values of every wrong kind; both judge each copy.
 */

const fixture = JSON.parse(readFileSync(path.join(__dirname, '..', '__fixtures__', 'offers-page.json'), 'utf8')) as { data: unknown[] };
const check = compileFastCheck(WireOffer)!;

const REPLACEMENTS: unknown[] = [
  undefined, null, '', 'X', 'AB', 'ABC', 'abc', '0', '12', '12.5', '12.50', '-1', '1e3', ' 1', '007',
  '2027-03-14T08:25:00', '2027-03-14T08:25', '2027-03-14', '2027-03-01T09:30:00Z', '2027-03-01T09:30:00+01:00',
  'economy', 'adult', '117', '117A', 0, 1, -1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, true, false, {}, [], [{}], [null],
];

type Path = (string | number)[];

function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (at.length) out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function withValue(root: unknown, at: Path, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let holder = copy;
  for (const key of at.slice(0, -1)) holder = holder[key] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (value === undefined && !Array.isArray(holder)) delete holder[last];
  else holder[last] = value;
  return copy;
}

/** Every value in zod's output (stripped of unknown keys) is the same in the compiled check's result. */
function expectCovers(zodOut: unknown, fast: unknown, at: string): void {
  if (Array.isArray(zodOut)) {
    if (!Array.isArray(fast) || fast.length !== zodOut.length) throw new Error(`${at}: zod has ${zodOut.length} items, compiled ${JSON.stringify(fast)}`);
    zodOut.forEach((v, i) => expectCovers(v, (fast as unknown[])[i], `${at}[${i}]`));
  } else if (typeof zodOut === 'object' && zodOut !== null) {
    if (typeof fast !== 'object' || fast === null) throw new Error(`${at}: zod has an object, compiled ${JSON.stringify(fast)}`);
    for (const [k, v] of Object.entries(zodOut)) expectCovers(v, (fast as Record<string, unknown>)[k], `${at}.${k}`);
  } else if (!Object.is(zodOut, fast)) {
    throw new Error(`${at}: zod ${String(zodOut)} ≠ compiled ${String(fast)}`);
  }
}

function judgeBoth(input: unknown): { zod: boolean; fast: boolean } {
  const parsed = WireOffer.safeParse(input);
  const result = check(structuredClone(input));
  if (result !== REJECT) {
    if (!parsed.success) throw new Error(`compiled check accepted what zod refuses: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    expectCovers(parsed.data, result, 'offer');
  }
  return { zod: parsed.success, fast: result !== REJECT };
}

describe('compiled check of WireOffer', () => {
  it('compiles, and accepts the fixture offers exactly as zod does', () => {
    expect(check).not.toBeNull();
    for (const offer of fixture.data) expect(judgeBoth(offer)).toEqual({ zod: true, fast: true });
  });

  it('never accepts a mutation zod refuses, at any path, and agrees with zod on all of them', () => {
    let cases = 0;
    for (const offer of fixture.data) {
      for (const at of paths(offer)) {
        for (const value of REPLACEMENTS) {
          const verdict = judgeBoth(withValue(offer, at, value));
          // Exact translation: it refuses nothing zod accepts either (so zod runs only on bad input).
          if (verdict.zod !== verdict.fast) throw new Error(`disagree at ${at.join('.')} = ${JSON.stringify(value)}: ${JSON.stringify(verdict)}`);
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(5000);
  });

  it('never accepts what zod refuses on arbitrary values at random paths', () => {
    const offer = fixture.data[0];
    const all = paths(offer);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.jsonValue(), (i, value) => {
        judgeBoth(withValue(offer, all[i]!, value));
      }),
      { numRuns: 2000 },
    );
  });

  it('fills defaults as zod does (stops absent → [])', () => {
    const offer = withValue(fixture.data[0], ['slices', 0, 'segments', 0, 'stops'], undefined) as WireOffer;
    const result = check(offer);
    expect(result).not.toBe(REJECT);
    expect((result as WireOffer).slices[0]!.segments[0]!.stops).toEqual([]);
  });

  it('refuses schemas it cannot translate exactly (zod then validates alone)', () => {
    expect(compileFastCheck(z.string().email())).toBeNull(); // a format Ajv does not know in strict mode
    expect(compileFastCheck(z.string().transform((s) => s.length))).toBeNull(); // not exportable
    // What it can translate, it checks no more loosely than zod.
    const strictObject = compileFastCheck(z.object({ a: z.string() }).strict())!;
    expect(strictObject({ a: 'x', b: 1 })).toBe(REJECT);
    expect(strictObject({ a: 'x' })).toEqual({ a: 'x' });
    expect(compileFastCheck(z.string().min(2))!('\u{1F600}')).toBe(REJECT); // one code point: zod would judge
  });

  it('a bad offer on a page still fails with the path zod names', () => {
    const page = { data: [fixture.data[0], withValue(fixture.data[1], ['slices', 0, 'segments', 0, 'departing_at'], '2027-03-14 08:25')], meta: { limit: 2, after: null, before: null } };
    expect(() => mapOffersPage(JSON.stringify(page), 'duffel-test')).toThrow(/data\[1\]\.slices\[0\]\.segments\[0\]\.departing_at/);
  });
});
