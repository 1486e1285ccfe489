import { openTestPglite } from '../../test/support/databases';
import { deferredRevenueContract } from './revenue.contract';

describe('PrismaDeferredRevenue on embedded PGlite', () => deferredRevenueContract(openTestPglite));
