import { openTestPostgres } from '../../test/support/databases';
import { commissionsContract } from './commissions.contract';

describe('PrismaCommissions on PostgreSQL', () => {
  commissionsContract(openTestPostgres);
});
