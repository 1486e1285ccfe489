import { openTestPglite } from '../../test/support/databases';
import { fxRatesContract } from './fx-rates.contract';

describe('PrismaFxRates on embedded PGlite', () => {
  fxRatesContract(openTestPglite);
});
