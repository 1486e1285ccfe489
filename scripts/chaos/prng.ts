/**
 * The chaos harness's only source of randomness: mulberry32 (the catalog generator's seeded generator), so one
 * seed replays the same kill plan and the same workload (the order in which concurrent bookings
 * reach the worker still varies from run to run; the plan and the scripts do not).
 */
import { mulberry32 } from '../../sandbox/catalog-generator';

export type Rng = () => number;

/** A generator for one purpose (`stream`) of one seed: independent of the others' draws. */
export function stream(seed: number, stream: number): Rng {
  return mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0);
}

/** A whole number in [min, max]. */
export function between(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** One of `items`, weighted. */
export function pick<T>(rng: Rng, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rng() * total;
  for (const [item, w] of items) {
    if ((r -= w) < 0) return item;
  }
  return items[items.length - 1]![0];
}
