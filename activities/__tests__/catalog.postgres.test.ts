import { openTestPostgres } from '../../test/support/databases';
import { catalogContract } from './catalog.contract';

describe('PrismaCatalog on PostgreSQL', () => {
  catalogContract(openTestPostgres);
});
