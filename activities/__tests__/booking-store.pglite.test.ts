import { openTestPglite } from '../../test/support/databases';
import { bookingStoreContract } from './booking-store.contract';

describe('PrismaBookingStore on embedded PGlite', () => {
  bookingStoreContract(openTestPglite);
});
