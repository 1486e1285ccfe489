import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FlightSupplier } from '../../activities/ports/flight-supplier';
import type { Offer } from '../../domain/flights/model';

/**
 * The contract between the sandbox GDS server (server.ts) and its wire fronts
 * (duffel-front.ts: Duffel-style JSON under `/air/*`; ndc-front.ts: NDC XML under `/ndc/*`).
 *
 * The server reads the body, applies TRANSPORT faults itself (latency, 5xx, 429, timeout) and
 * hands the front a context whose `core` is already scoped to this request's BUSINESS fault:
 *   - `fare-changed`: `core.price()` answers `priceChanged: true` with the new total, and
 *     `core.createOrder()` throws FlightSupplierError('fare-changed', { newTotal }).
 *   - `sold-out`: `core.createOrder()` throws FlightSupplierError('sold-out').
 *   - `fail-after-commit`: `core.createOrder()` / `payOrder()` / `confirm*()` COMMIT, then throw
 *     FlightSupplierError('unavailable', { status: 500 }) — the front answers 500 as for any
 *     'unavailable' error, and the order exists (findOrderByReference finds it).
 * So a front never needs to look at `fault` to be correct: it maps FlightSupplierError kinds to its
 * wire's error statuses (invalid-request 400/422, not-found 404, offer-expired/fare-changed/sold-out/
 * quote-expired/not-allowed 409/422, unavailable 500/503...). `fault` is there for information.
 */

/** Faults that change what the core does (transport faults never reach a front). */
export type BusinessFault = 'fare-changed' | 'sold-out' | 'fail-after-commit';

/** Operations on top of the FlightSupplier port that the sandbox offers (tests, fronts, tooling). */
export interface SandboxControls {
  /** Forgets every order, quote and offer, and restores all seat counts. */
  reset(): void;
  /** Replaces the clock (epoch ms); tests and time-skipping use it. */
  setClock(now: () => number): void;
  now(): number;
  /** An offer issued by search (not-found / offer-expired as FlightSupplierError otherwise). */
  getOffer(offerId: string): Promise<Offer>;
  /** Seats left on one flight on one local departure date in one booking class. */
  seatsLeft(flight: { carrier: string; flightNumber: string; date: string; bookingClass: string }): number;
  /** This core as one request sees it: `fault` applied to its operations (null: the core itself). */
  faultsFor(fault: BusinessFault | null): FlightSupplier & SandboxControls;
}

export interface FrontContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The whole request body (empty for GET). */
  body: Buffer;
  /** Parsed request URL (base http://sandbox). */
  url: URL;
  /** Path below the front's prefix: `/air/offer_requests` → `/offer_requests`. */
  path: string;
  /** This request's business fault (already applied to `core`). */
  fault: BusinessFault | null;
  /** The core scoped to this request (see above). */
  core: FlightSupplier & SandboxControls;
  /** The sandbox clock (epoch ms). */
  now: () => number;
}

/**
 * A front handles one request completely (status, headers, body). The server sets
 * `X-Sandbox: true` before calling it; an exception that escapes is answered 500 by the server.
 * Each front module exports a factory: `export function duffelFront(): FrontHandler` and
 * `export function ndcFront(): FrontHandler`.
 */
export type FrontHandler = (ctx: FrontContext) => Promise<void>;
