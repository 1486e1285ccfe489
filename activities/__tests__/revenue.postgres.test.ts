import { openIsolatedTestPostgres } from '../../test/support/databases';
import { deferredRevenueContract } from './revenue.contract';

describe('PrismaDeferredRevenue on PostgreSQL', () => deferredRevenueContract(openIsolatedTestPostgres));
