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

/** Name and server type of each key, in the form `temporal server start-dev --search-attribute` takes. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS: ReadonlyArray<{ name: string; type: 'Keyword' | 'Datetime' }> = [
  { name: BookingReference.name, type: 'Keyword' },
  { name: BookingStatus.name, type: 'Keyword' },
  { name: CustomerId.name, type: 'Keyword' },
  { name: AdvisorId.name, type: 'Keyword' },
  { name: TravelDate.name, type: 'Datetime' },
];
