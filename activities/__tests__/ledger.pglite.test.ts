import { openTestPglite } from '../../test/support/databases';
import { chartSeedContract, ledgerContract } from './ledger.contract';

describe('PrismaLedger on embedded PGlite', () => {
  ledgerContract(openTestPglite);
  describe('chart of accounts', () => chartSeedContract(openTestPglite));
});
