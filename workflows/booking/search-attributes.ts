import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes registered on every Temporal namespace Itinera uses (the dev server
 * registers them at start; see README for a production cluster). Ids only, never personal data.
 */
export const BookingReference = defineSearchAttributeKey('BookingReference', SearchAttributeType.KEYWORD);
export const BookingStatus = defineSearchAttributeKey('BookingStatus', SearchAttributeType.KEYWORD);
export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const AdvisorId = defineSearchAttributeKey('AdvisorId', SearchAttributeType.KEYWORD);
export const TravelDate = defineSearchAttributeKey('TravelDate', SearchAttributeType.DATETIME);
/** What the customer still owes, in the booking currency (an approximate number: for ops filters, never for money). */
export const BalanceDue = defineSearchAttributeKey('BalanceDue', SearchAttributeType.DOUBLE);
/** The next thing the booking waits for (reminder, due date, ticketing, departure). */
export const NextDeadlineAt = defineSearchAttributeKey('NextDeadlineAt', SearchAttributeType.DATETIME);
/** A supplier or compensation step failed for good: someone must look. */
export const NeedsManualReview = defineSearchAttributeKey('NeedsManualReview', SearchAttributeType.BOOL);

/** Name and server type of each key, in the form `temporal server start-dev --search-attribute` takes. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS: ReadonlyArray<{ name: string; type: 'Keyword' | 'Datetime' | 'Double' | 'Bool' }> = [
  { name: BookingReference.name, type: 'Keyword' },
  { name: BookingStatus.name, type: 'Keyword' },
  { name: CustomerId.name, type: 'Keyword' },
  { name: AdvisorId.name, type: 'Keyword' },
  { name: TravelDate.name, type: 'Datetime' },
  { name: BalanceDue.name, type: 'Double' },
  { name: NextDeadlineAt.name, type: 'Datetime' },
  { name: NeedsManualReview.name, type: 'Bool' },
];
