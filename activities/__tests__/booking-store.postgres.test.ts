import { openTestPostgres } from '../../test/support/databases';
import { bookingStoreContract } from './booking-store.contract';

describe('PrismaBookingStore on PostgreSQL', () => {
  bookingStoreContract(openTestPostgres);
});
