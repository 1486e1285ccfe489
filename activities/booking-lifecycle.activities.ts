import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CatalogComponentRequest, ComponentKind, FlightComponentRequest, LifecycleView, PricedComponent } from '../domain/booking/model';
import { addDays } from '../domain/catalog/dates';
import { markupFor } from '../domain/catalog/markup';
import { LEDGER_PRODUCT_TYPE, type CatalogProductType, type Policy } from '../domain/catalog/model';
import { PricingError } from '../domain/catalog/pricing';
import type { CatalogProblem } from '../domain/catalog/problems';
import type { Offer, Penalty } from '../domain/flights/model';
import { RateMissingError } from '../domain/fx/rates';
import { isCurrencyCode } from '../domain/money/currency';
import { Dec, Money } from '../domain/money/money';
import { isIsoDate } from '../domain/time/instant';
import type { PrismaClient } from '../generated/prisma/client';
import type { SqlDriver } from '../infra/database';
import { rawQuery, type RawSql } from './bulk-insert';
import type { AvailabilitySearch } from './availability-search';
import {
  BookingLifecycleFailureType,
  type BookingLifecycleActivities,
  type ConfirmComponentInput,
  type HoldComponentInput,
  type NoticeInput,
  type PriceComponentsInput,
  type RefundInput,
  type ReleaseComponentInput,
} from './booking-lifecycle.types';
import { BookingProjectionInvalid, PrismaBookingProjection } from './booking-projection.prisma';
import type { PrismaCatalog, StoredProduct } from './catalog.prisma';
import { PrismaFinanceConfig } from './finance-config.prisma';
import { PrismaFxRates } from './fx-rates.prisma';
import { inventoryFailure } from './inventory.activities';
import { InventoryError, type PrismaInventory } from './inventory.prisma';
import { BookingNoticeRejected, type BookingNotifier } from './ports/booking-notifier';
import { PaymentGatewayError, type PaymentGateway } from './ports/payment-gateway';
import { PrismaServiceOrders, ServiceOrderConflict } from './service-orders.prisma';
import { createRevenueActivities, RevenueFailureType } from './revenue.activities';
import { PrismaDeferredRevenue, type DeferComponentInput } from './revenue.prisma';

/** What the booking lifecycle activities work with (built once per worker, see workers/). */
export interface BookingLifecycleActivityPorts {
  prisma: PrismaClient;
  /** The driver (the `Database`), for the projection write and the notices of every step; else Prisma. */
  sql?: SqlDriver;
  catalog: PrismaCatalog;
  inventory: PrismaInventory;
  /** Catalog pricing (markups, FX of the sale date from the finance settings' rate source). */
  search: AvailabilitySearch;
  notifier: BookingNotifier;
  payments: PaymentGateway;
  operatorTimeZone: string;
}

/** The catalog product type each catalog component kind must be. */
const PRODUCT_TYPE_OF_KIND: Record<CatalogComponentRequest['kind'], CatalogProductType> = {
  HOTEL: 'HOTEL',
  TOUR: 'TOUR',
  TRANSFER: 'GROUND_SERVICE',
  INSURANCE: 'INSURANCE',
};
const KIND_LABEL: Record<ComponentKind, string> = { FLIGHT: 'Flight', HOTEL: 'Hotel', TOUR: 'Tour', TRANSFER: 'Transfer', INSURANCE: 'Insurance' };
/** A fare-rule window that covers any change date, from long before departure to a no-show. */
const ANY_TIME = { fromDaysBefore: 9999, toDaysBefore: -1 } as const;
/** The inventory channel of booking-workflow holds (inventory_holds.channel). */
const INVENTORY_CHANNEL = 'booking';
/** The notice row is written before sending and committed after: room for a slow notifier. */
const NOTICE_TX = { maxWait: 10_000, timeout: 60_000 };

function failure(type: BookingLifecycleFailureType, message: string, problems: CatalogProblem[] = []): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [problems] });
}
const invalid = (message: string, problems: CatalogProblem[] = []) => failure(BookingLifecycleFailureType.BookingRequestInvalid, message, problems);
const unavailable = (message: string, problems: CatalogProblem[] = []) => failure(BookingLifecycleFailureType.BookingComponentUnavailable, message, problems);

function listProblems(problems: CatalogProblem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
}

/** Every problem of the request's shape at once (BookingRequestInvalid names them all). */
function checkPriceInput(input: PriceComponentsInput): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  if (typeof input.currency !== 'string' || !isCurrencyCode(input.currency)) problems.push({ path: 'currency', message: 'must be an ISO 4217 currency code' });
  if (typeof input.saleDate !== 'string' || !isIsoDate(input.saleDate)) problems.push({ path: 'saleDate', message: 'must be a date YYYY-MM-DD' });
  if (!Array.isArray(input.components) || input.components.length === 0) {
    problems.push({ path: 'components', message: 'must list at least one component' });
    return problems;
  }
  const seen = new Set<string>();
  input.components.forEach((c, i) => {
    const at = `components[${i}]`;
    if (typeof c.id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(c.id)) problems.push({ path: `${at}.id`, message: 'must be 1 to 64 letters, digits, ".", "_" or "-"' });
    else if (seen.has(c.id)) problems.push({ path: `${at}.id`, message: `"${c.id}" is used by another component` });
    else seen.add(c.id);
    if (c.kind === 'FLIGHT') {
      if (!Array.isArray(c.passengers) || c.passengers.length === 0) problems.push({ path: `${at}.passengers`, message: 'must list at least one passenger' });
      return;
    }
    if (!(c.kind in PRODUCT_TYPE_OF_KIND)) {
      problems.push({ path: `${at}.kind`, message: `must be one of FLIGHT, ${Object.keys(PRODUCT_TYPE_OF_KIND).join(', ')}` });
      return;
    }
    if (typeof c.startDate !== 'string' || !isIsoDate(c.startDate)) problems.push({ path: `${at}.startDate`, message: 'must be a date YYYY-MM-DD' });
    if (!Number.isInteger(c.nights) || c.nights < 0 || c.nights > 366) problems.push({ path: `${at}.nights`, message: 'must be a whole number from 0 to 366' });
    if (c.kind === 'HOTEL' && c.nights === 0) problems.push({ path: `${at}.nights`, message: 'a hotel stay needs at least one night' });
    if (!Array.isArray(c.units) || c.units.length === 0) problems.push({ path: `${at}.units`, message: 'must list at least one unit (room, vehicle, policy)' });
  });
  return problems;
}

const paxOf = (c: CatalogComponentRequest) => c.units.reduce((sum, u) => sum + u.adults + u.childAges.length, 0);

/** Last service day: hotels the last night; tours the return day; services and insurance start + nights. */
function serviceEndOf(c: CatalogComponentRequest, product: StoredProduct): string {
  if (c.kind === 'HOTEL') return addDays(c.startDate, Math.max(c.nights, 1) - 1);
  if (product.type === 'TOUR') return addDays(c.startDate, Math.max(c.nights, product.durationNights));
  return addDays(c.startDate, c.nights);
}

function catalogDescription(c: CatalogComponentRequest, product: StoredProduct, categoryName: string): string {
  const base = `${KIND_LABEL[c.kind]} ${product.code} ${categoryName}`;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (c.kind === 'HOTEL') return `${base}, ${plural(c.nights, 'night')}`;
  if (c.kind === 'TOUR') return `${base}, departs ${c.startDate}`;
  if (c.kind === 'INSURANCE') return `${base}, ${c.startDate} + ${plural(c.nights, 'day')}`;
  return `${base}, ${c.startDate}`;
}

/**
 * A fare condition as a penalty policy over the whole life of the ticket: not allowed = nothing
 * back (non-refundable); allowed with a fee = that fee once per booking (in the fee's currency,
 * normally the offer's); allowed free = no windows.
 */
export function policyOfFareCondition(p: Penalty): Policy {
  if (!p.allowed) return { windows: [{ ...ANY_TIME, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '100', nonRefundable: true }] };
  if (p.fee && new Dec(p.fee.amount).greaterThan(0)) {
    return { windows: [{ ...ANY_TIME, basis: 'FIXED', scope: 'PER_BOOKING', amount: p.fee.amount, currency: p.fee.currency, nonRefundable: false }] };
  }
  return { windows: [] };
}

function flightDescription(offer: Offer): string {
  const first = offer.slices[0]!;
  const seg = first.segments[0]!;
  const head = `Flight ${first.origin}→${first.destination} ${seg.carrier}${seg.flightNumber}`;
  if (offer.slices.length === 1) return head;
  const last = offer.slices[offer.slices.length - 1]!;
  if (offer.slices.length === 2 && last.destination === first.origin) return `${head} + return`;
  return `${head} + ${offer.slices
    .slice(1)
    .map((s) => `${s.origin}→${s.destination}`)
    .join(', ')}`;
}

/**
 * The booking lifecycle activities (task queue `booking-orchestration`): the contract is
 * {@link BookingLifecycleActivities}. Each side effect is idempotent by the key the workflow passes
 * (inventory hold references, service order references, notice and refund keys, projection
 * versions), so a retry after a lost acknowledgement or a killed worker finds the first result.
 * Refusals become non-retryable ApplicationFailures (BookingLifecycleFailureType,
 * InventoryFailureType); anything else (database or provider down) stays retryable.
 */
export function createBookingLifecycleActivities(ports: BookingLifecycleActivityPorts): BookingLifecycleActivities {
  const { prisma, catalog, inventory, search, notifier, payments } = ports;
  const serviceOrders = new PrismaServiceOrders(prisma, ports.sql);
  const projection = new PrismaBookingProjection(prisma, undefined, ports.sql);
  const fxRates = new PrismaFxRates(prisma);
  const financeConfig = new PrismaFinanceConfig(prisma);

  type SupplierTerms = Map<string, { active: boolean; cancellationPolicy: Policy; amendmentPolicy: Policy }>;

  function supplierPolicies(suppliers: SupplierTerms, supplierCode: string, componentId: string): { cancellationPolicy: Policy; amendmentPolicy: Policy } {
    const supplier = suppliers.get(supplierCode);
    if (!supplier || !supplier.active) throw unavailable(`Component ${componentId}: supplier ${supplierCode} is ${supplier ? 'inactive' : 'unknown'}`);
    return { cancellationPolicy: supplier.cancellationPolicy, amendmentPolicy: supplier.amendmentPolicy };
  }

  async function priceCatalog(
    input: PriceComponentsInput,
    c: CatalogComponentRequest,
    at: string,
    products: Promise<Map<string, StoredProduct>>,
    suppliers: Promise<SupplierTerms>,
  ): Promise<PricedComponent> {
    // The suppliers' terms are read alongside the products; the product's refusals still come first.
    const name = `${c.supplierCode}/${c.productCode}`;
    const product = (await products).get(name);
    if (!product) throw unavailable(`Component ${c.id}: product ${name} is not in the catalog`, [{ path: `${at}.productCode`, message: `${name} is not in the catalog` }]);
    if (!product.active) throw unavailable(`Component ${c.id}: product ${name} is inactive`, [{ path: `${at}.productCode`, message: `${name} is inactive` }]);
    if (product.type !== PRODUCT_TYPE_OF_KIND[c.kind]) {
      throw invalid(`Component ${c.id}: product ${name} is a ${product.type}, not a ${c.kind}`, [{ path: `${at}.kind`, message: `${name} is a ${product.type} product` }]);
    }
    const category = product.categories.find((k) => k.code === c.category);
    if (!category) {
      const known = product.categories.map((k) => k.code).join(', ');
      throw invalid(`Component ${c.id}: product ${name} has no category ${c.category} (it has ${known})`, [{ path: `${at}.category`, message: `must be one of ${known}` }]);
    }
    const policies = supplierPolicies(await suppliers, c.supplierCode, c.id);
    let breakdown;
    try {
      breakdown = await search.price({
        product,
        category: c.category,
        ratePlan: c.ratePlan,
        startDate: c.startDate,
        nights: c.nights,
        units: c.units,
        channel: input.channel,
        sellingCurrency: input.currency,
        saleDate: input.saleDate,
      });
    } catch (err) {
      if (err instanceof PricingError) {
        const problems = err.problems.map((p) => ({ ...p, path: p.path ? `${at}.${p.path}` : at }));
        throw invalid(`Component ${c.id} (${name}) cannot be priced: ${listProblems(problems)}`, problems);
      }
      if (err instanceof RateMissingError) throw unavailable(`Component ${c.id} (${name}): ${err.message}`, [{ path: at, message: err.message }]);
      throw err;
    }
    const allotted = product.type === 'HOTEL' || product.type === 'TOUR';
    return {
      id: c.id,
      kind: c.kind,
      description: catalogDescription(c, product, category.name),
      supplierCode: c.supplierCode,
      productType: LEDGER_PRODUCT_TYPE[product.type],
      serviceStart: c.startDate,
      serviceEnd: serviceEndOf(c, product),
      pax: paxOf(c),
      sell: { amount: breakdown.totalSell, currency: input.currency },
      cost: { amount: breakdown.totalCost, currency: product.currency },
      settlement: null,
      ...policies,
      // Hotels hold every night; a tour's inventory is its departure date (one "night").
      inventory: allotted ? { productId: product.id, category: c.category, from: c.startDate, nights: product.type === 'HOTEL' ? Math.max(c.nights, 1) : 1, quantity: c.units.length } : null,
      flight: null,
      request: c,
    };
  }

  async function priceFlight(input: PriceComponentsInput, c: FlightComponentRequest, at: string): Promise<PricedComponent> {
    const offer = input.flightOffers?.[c.id];
    if (!offer) throw invalid(`Component ${c.id}: no flight offer was passed for it`, [{ path: `flightOffers.${c.id}`, message: 'is required for a FLIGHT component' }]);
    const problems: CatalogProblem[] = [];
    if (offer.id !== c.offerId) problems.push({ path: `${at}.offerId`, message: `is ${c.offerId} but the offer passed is ${offer.id}` });
    if (offer.supplier !== c.supplier) problems.push({ path: `${at}.supplier`, message: `is ${c.supplier} but the offer came from ${offer.supplier}` });
    if (!offer.slices.length || offer.slices.some((s) => s.segments.length === 0)) problems.push({ path: `flightOffers.${c.id}.slices`, message: 'every slice needs a segment' });
    if (problems.length) throw invalid(`Component ${c.id}: ${listProblems(problems)}`, problems);

    const total = Money.fromJson(offer.total);
    let rate = '1';
    if (total.currency !== input.currency) {
      const source = (await financeConfig.settings())?.rateSource ?? 'ECB';
      try {
        rate = (await fxRates.resolve(total.currency, input.currency, input.saleDate, source)).rate;
      } catch (err) {
        if (err instanceof RateMissingError) throw unavailable(`Component ${c.id} (flight ${offer.id}): ${err.message}`, [{ path: at, message: err.message }]);
        throw err;
      }
    }
    // Flights take the channel's default markup (the rules without a product type): the catalog's
    // product-type rules are for catalog products.
    const rule = markupFor(
      (await catalog.listMarkupRules()).filter((r) => r.productType === null),
      'HOTEL', // ignored: only type-less rules are left
      input.channel,
    );
    const factor = new Dec(1).plus(new Dec(rule?.percent ?? '0').dividedBy(100));
    const sell = Money.of(total.amount.times(rate).times(factor), input.currency).roundToMinor(Dec.ROUND_HALF_UP);
    const first = offer.slices[0]!.segments[0]!;
    const lastSlice = offer.slices[offer.slices.length - 1]!;
    const last = lastSlice.segments[lastSlice.segments.length - 1]!;
    return {
      id: c.id,
      kind: 'FLIGHT',
      description: flightDescription(offer),
      supplierCode: c.supplier,
      productType: 'flights',
      serviceStart: first.departure.local.slice(0, 10),
      serviceEnd: last.arrival.local.slice(0, 10),
      pax: c.passengers.length,
      sell: sell.toJSON(),
      cost: total.toJSON(),
      settlement: total.toJSON(),
      cancellationPolicy: policyOfFareCondition(offer.conditions.refund),
      amendmentPolicy: policyOfFareCondition(offer.conditions.change),
      inventory: null,
      flight: { supplier: c.supplier, offerId: offer.id, passengers: c.passengers, instantPaymentRequired: offer.instantPaymentRequired, ticketingDeadline: offer.ticketingDeadline },
      request: c,
    };
  }

  const revenueActivities = createRevenueActivities({ revenue: new PrismaDeferredRevenue(ports.prisma, undefined, { operatorTimeZone: ports.operatorTimeZone, ...(ports.sql ? { sql: ports.sql } : {}) }) });
  const activities: BookingLifecycleActivities = {
    async priceBookingComponents(input: PriceComponentsInput): Promise<PricedComponent[]> {
      const problems = checkPriceInput(input);
      if (problems.length) throw invalid(`Booking ${input.reference} cannot be priced: ${listProblems(problems)}`, problems);
      // Every catalog product of the booking in one read, their suppliers' terms in another beside
      // it; then the components are priced side by side (reads only); a refusal is the first
      // failing component's, in order.
      const catalogComponents = input.components.filter((c): c is CatalogComponentRequest => c.kind !== 'FLIGHT');
      const products = catalog.getProductsByCodes(catalogComponents);
      const suppliers = catalog.getSuppliersTerms(catalogComponents.map((c) => c.supplierCode));
      products.catch(() => undefined); // awaited by each catalog component below
      suppliers.catch(() => undefined); // likewise (or left behind a product refusal): not an unhandled rejection
      const settled = await Promise.allSettled(
        input.components.map((c, i) => (c.kind === 'FLIGHT' ? priceFlight(input, c, `components[${i}]`) : priceCatalog(input, c, `components[${i}]`, products, suppliers))),
      );
      const refused = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (refused) throw refused.reason;
      const priced = settled.map((r) => (r as PromiseFulfilledResult<PricedComponent>).value);
      log.info('Booking components priced', { reference: input.reference, components: priced.map((p) => ({ id: p.id, sell: p.sell, cost: p.cost })) });
      return priced;
    },

    async holdBookingComponent(input: HoldComponentInput): Promise<{ supplierRef: string | null; expiresAt: number | null }> {
      const { component: c } = input;
      if (c.inventory === null) return { supplierRef: null, expiresAt: null };
      try {
        const hold = await inventory.hold({
          reference: input.key,
          productId: c.inventory.productId,
          category: c.inventory.category,
          from: c.inventory.from,
          nights: c.inventory.nights,
          quantity: c.inventory.quantity,
          channel: INVENTORY_CHANNEL,
          now: new Date(input.now),
          ttlSeconds: input.ttlSeconds,
          pax: c.pax,
        });
        // A retry found the hold already gone (expired or cancelled meanwhile): the workflow holds again under a new key.
        if (hold.status === 'EXPIRED' || hold.status === 'CANCELLED') throw new InventoryError(hold.status === 'EXPIRED' ? 'hold-expired' : 'hold-cancelled', `Hold ${input.key} is ${hold.status.toLowerCase()}; hold again`);
        log.info('Inventory held for booking component', { reference: input.reference, component: c.id, hold: input.key, status: hold.status, expiresAt: hold.expiresAt });
        return { supplierRef: hold.reference, expiresAt: hold.expiresAt };
      } catch (err) {
        if (err instanceof InventoryError) throw inventoryFailure(err);
        throw err;
      }
    },

    async confirmBookingComponent(input: ConfirmComponentInput): Promise<{ supplierRef: string }> {
      const { component: c } = input;
      if (c.kind === 'FLIGHT') throw invalid(`Component ${c.id} is a flight: flights are confirmed by the flight activities, not here`);
      if (input.holdRef !== null) {
        try {
          await inventory.confirmHold(input.holdRef, new Date(input.now));
        } catch (err) {
          if (err instanceof InventoryError) throw inventoryFailure(err);
          throw err;
        }
        log.info('Inventory hold confirmed (sold)', { reference: input.reference, component: c.id, hold: input.holdRef });
        return { supplierRef: input.holdRef };
      }
      if (c.inventory !== null) throw invalid(`Component ${c.id} has allotment inventory: confirm its hold (holdRef is missing)`);
      const request = c.request.kind === 'FLIGHT' ? null : c.request;
      try {
        const { created } = await serviceOrders.order({
          reference: input.key,
          bookingRef: input.reference,
          componentId: c.id,
          supplierCode: c.supplierCode,
          productCode: request?.productCode ?? c.id,
          serviceStart: c.serviceStart,
          serviceEnd: c.serviceEnd,
          quantity: request?.units.length ?? 1,
          now: new Date(input.now),
        });
        log.info(created ? 'Service ordered from supplier' : 'Service order already placed for this key', { reference: input.reference, component: c.id, order: input.key });
      } catch (err) {
        if (err instanceof ServiceOrderConflict) throw invalid(err.message);
        throw err;
      }
      return { supplierRef: input.key };
    },

    async releaseBookingComponent(input: ReleaseComponentInput): Promise<{ released: boolean }> {
      const { component: c } = input;
      if (c.kind === 'FLIGHT') throw invalid(`Component ${c.id} is a flight: flight orders are cancelled by the flight activities, not here`);
      if (input.supplierRef === null) return { released: false };
      if (c.inventory !== null) {
        const hold = await inventory.getHold(input.supplierRef);
        if (!hold || hold.status === 'CANCELLED' || hold.status === 'EXPIRED') {
          log.info('Inventory hold already released', { reference: input.reference, component: c.id, hold: input.supplierRef, status: hold?.status ?? 'UNKNOWN' });
          return { released: false };
        }
        try {
          await inventory.cancelHold(input.supplierRef, new Date(input.now));
        } catch (err) {
          if (err instanceof InventoryError && err.kind === 'hold-not-found') return { released: false };
          if (err instanceof InventoryError) throw inventoryFailure(err);
          throw err;
        }
        log.info('Inventory returned to the allotment', { reference: input.reference, component: c.id, hold: input.supplierRef, was: hold.status });
        return { released: true };
      }
      const { cancelled } = await serviceOrders.cancel(input.supplierRef, new Date(input.now));
      log.info(cancelled ? 'Service order cancelled with supplier' : 'Service order already cancelled or never placed', { reference: input.reference, component: c.id, order: input.supplierRef });
      return { released: cancelled };
    },

    /**
     * At-least-once, never twice once recorded: the notice row (unique idempotency key) is inserted
     * in a transaction, the notifier sends, then the transaction commits. A repeat of a committed
     * notice finds the row and sends nothing; a concurrent repeat waits on the key and then finds
     * it; a crash after sending but before the commit rolls the row back, so the retry sends again
     * (the e-mail adapter reuses the Message-ID, so the relay drops that duplicate).
     */
    async sendBookingNotice(input: NoticeInput): Promise<{ channel: string }> {
      const problems: CatalogProblem[] = [];
      const text = (path: keyof NoticeInput, max: number) => {
        const v = input[path];
        if (typeof v !== 'string' || v.trim() === '' || v.length > max) problems.push({ path, message: `must be 1 to ${max} characters` });
      };
      text('idempotencyKey', 200);
      text('reference', 16);
      text('kind', 32);
      text('recipient', 254);
      text('subject', 200);
      if (typeof input.body !== 'string') problems.push({ path: 'body', message: 'must be text' });
      if (problems.length) throw invalid(`Notice ${input.idempotencyKey} is invalid: ${listProblems(problems)}`, problems);
      // The row is written, the notice sent, then both committed: a failed send leaves no row.
      const send = async (tx: RawSql): Promise<{ channel: string }> => {
        const inserted = await rawQuery(
          tx,
          `INSERT INTO booking_notices (id, idempotency_key, booking_ref, kind, recipient, subject, body, channel, sent_at)
           VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, now())
           ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1 AS n`,
          [input.idempotencyKey, input.reference, input.kind, input.recipient, input.subject, input.body, notifier.channel],
        );
        if (inserted.length === 0) {
          const [sent] = await rawQuery<{ channel: string }>(tx, `SELECT channel FROM booking_notices WHERE idempotency_key = $1`, [input.idempotencyKey]);
          log.info('Booking notice already sent', { reference: input.reference, kind: input.kind, key: input.idempotencyKey, channel: sent!.channel });
          return { channel: sent!.channel };
        }
        await notifier.send(input);
        log.info('Booking notice sent', { reference: input.reference, kind: input.kind, key: input.idempotencyKey, channel: notifier.channel });
        return { channel: notifier.channel };
      };
      try {
        return await (ports.sql ? ports.sql.transaction(send) : prisma.$transaction(send, NOTICE_TX));
      } catch (err) {
        if (err instanceof BookingNoticeRejected) throw invalid(`Notice ${input.idempotencyKey} cannot be delivered: ${err.message}`, [{ path: 'recipient', message: err.message }]);
        throw err;
      }
    },

    async refundCustomerPayment(input: RefundInput): Promise<{ providerRef: string }> {
      try {
        const { providerRef } = await payments.refund({ idempotencyKey: input.idempotencyKey, paymentId: input.paymentId, amount: input.amount, reference: input.reference, reason: input.reason });
        log.info('Customer refund paid', { reference: input.reference, key: input.idempotencyKey, amount: input.amount, providerRef });
        return { providerRef };
      } catch (err) {
        if (err instanceof PaymentGatewayError && err.kind === 'refused') throw failure(BookingLifecycleFailureType.BookingRefundRefused, err.message);
        throw err;
      }
    },

    /**
     * Registers the sold components' revenue for recognition at their service dates (one call for
     * the booking instead of one finance activity per component). Idempotent per component.
     */
    async deferBookingRevenue(items: DeferComponentInput[]): Promise<{ deferred: number }> {
      await revenueActivities.deferRevenueComponents(items);
      return { deferred: items.length };
    },

    /** Cancels the deferred revenue of components no longer sold; a component never deferred is skipped. */
    async cancelBookingRevenue(input: { bookingRef: string; componentIds: string[]; cancelledAt: number }): Promise<{ cancelled: number }> {
      let cancelled = 0;
      for (const componentId of input.componentIds) {
        try {
          await revenueActivities.cancelDeferredComponent({ bookingRef: input.bookingRef, componentId, cancelledAt: input.cancelledAt });
          cancelled++;
        } catch (err) {
          // Agent-model flights with no margin were never deferred: nothing to cancel.
          if (err instanceof ApplicationFailure && err.type === RevenueFailureType.DeferredRevenueNotFound) continue;
          throw err;
        }
      }
      return { cancelled };
    },

    async confirmBookingComponents(inputs: ConfirmComponentInput[]): Promise<Array<{ componentId: string; supplierRef: string }>> {
      // Side by side: each confirmation is idempotent by its key, and when the call fails the
      // workflow releases every catalog component, confirmed or not. The refusal reported is the
      // first failing component's, in order, once every confirmation has settled (none is left running).
      const settled = await Promise.allSettled(inputs.map((input) => activities.confirmBookingComponent(input)));
      return settled.map((s, i) => {
        if (s.status === 'rejected') throw s.reason;
        return { componentId: inputs[i]!.component.id, supplierRef: s.value.supplierRef };
      });
    },

    async publishBooking(input: { view: LifecycleView; notices: NoticeInput[] }): Promise<{ failed: Array<{ idempotencyKey: string; kind: string; message: string }> }> {
      // The projection and the notices are independent writes (each idempotent), side by side;
      // a retry after any failure repeats only what did not stick.
      const [saved, ...sent] = await Promise.allSettled([activities.saveBookingProjection(input.view), ...input.notices.map((notice) => activities.sendBookingNotice(notice))]);
      if (saved!.status === 'rejected') throw saved!.reason;
      const failed: Array<{ idempotencyKey: string; kind: string; message: string }> = [];
      sent.forEach((s, i) => {
        if (s.status === 'fulfilled') return;
        const err: unknown = s.reason;
        const notice = input.notices[i]!;
        // A notice that can never go (bad address) is reported; anything else (database, relay down) retries the call.
        if (err instanceof ApplicationFailure && err.nonRetryable) failed.push({ idempotencyKey: notice.idempotencyKey, kind: notice.kind, message: err.message });
        else throw err;
      });
      return { failed };
    },

    async saveBookingProjection(view: LifecycleView): Promise<void> {
      try {
        const written = await projection.save(view);
        log.info(written ? 'Booking projection written' : 'Booking projection already newer', { reference: view.reference, version: view.version, status: view.status });
      } catch (err) {
        if (err instanceof BookingProjectionInvalid) throw invalid(err.message, err.problems);
        throw err;
      }
    },
  };
  return activities;
}
