import { openTestPglite } from '../../test/support/databases';
import { catalogContract } from './catalog.contract';

describe('PrismaCatalog on embedded PGlite', () => {
  catalogContract(openTestPglite);
});
