import { proxyActivities } from '@temporalio/workflow';
import type { FlightActivities } from '../../activities/flight.activities';
import type { FlightSearch, Offer } from '../../domain/flights/model';

// An advisor is waiting: a few quick attempts, then the failure goes back to the API.
const { searchFlights } = proxyActivities<FlightActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 3 },
});

/**
 * One flight search for `POST /flights/search` (id `flight-search-<uuid>`, task queue
 * `supplier-io`): the API has no supplier credentials, the supplier worker does. The offers it
 * returns are booked by id in a booking's FLIGHT component.
 */
export async function FlightSearchWorkflow(input: { supplier: string; search: FlightSearch }): Promise<Offer[]> {
  return searchFlights({ supplier: input.supplier, search: input.search });
}
