import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { BookingLifecycleActivities } from '../../activities/booking-lifecycle.types';
import type { FlightActivities } from '../../activities/flight.activities';
import type { BookingRequest, Installment, PricedComponent } from '../../domain/booking/model';
import { planPayments, resolveTerms } from '../../domain/booking/payment-plan';
import type { Offer } from '../../domain/flights/model';
import { Money, type MoneyJson } from '../../domain/money/money';
import { calendarDateIn } from '../../domain/time/instant';
import { TASK_QUEUES } from '../task-queues';

const { priceBookingComponents } = proxyLocalActivities<BookingLifecycleActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});
const { priceFlightOffer } = proxyActivities<FlightActivities>({
  taskQueue: TASK_QUEUES.supplierIo,
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

export interface BookingQuote {
  components: PricedComponent[];
  total: MoneyJson;
  schedule: Installment[];
}

/**
 * A price for a booking without holding anything (`POST /bookings/quote`): flights priced by
 * their supplier, catalog components with today's rates and markups, and the payment plan the
 * booking would get. Short-lived (id `quote-<uuid>`), and it gives up quickly: an advisor is waiting.
 */
export async function BookingQuoteWorkflow(input: { request: BookingRequest }): Promise<BookingQuote> {
  const req = input.request;
  const flightOffers: Record<string, Offer> = {};
  for (const c of req.components) {
    if (c.kind === 'FLIGHT') flightOffers[c.id] = (await priceFlightOffer({ supplier: c.supplier, offerId: c.offerId })).offer;
  }
  const today = calendarDateIn(Date.now(), req.timeZone);
  const components = await priceBookingComponents({ reference: req.reference, channel: req.channel, currency: req.currency, saleDate: today, components: req.components, flightOffers });
  const total = components.reduce((acc, c) => acc.add(Money.fromJson(c.sell)), Money.of('0', req.currency)).toJSON();
  let schedule: Installment[];
  try {
    schedule = planPayments({ total, terms: resolveTerms(req.paymentTerms), bookedOn: today, departureDate: req.departureDate, timeZone: req.timeZone });
  } catch (err) {
    // Bad terms are the caller's mistake: fail the quote with the reason instead of retrying the task.
    throw ApplicationFailure.create({ type: 'BookingRequestInvalid', message: err instanceof Error ? err.message : String(err), nonRetryable: true });
  }
  return { components, total, schedule };
}
