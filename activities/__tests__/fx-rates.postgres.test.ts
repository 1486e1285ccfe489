import { openTestPostgres } from '../../test/support/databases';
import { fxRatesContract } from './fx-rates.contract';

describe('PrismaFxRates on PostgreSQL', () => {
  fxRatesContract(openTestPostgres);
});
