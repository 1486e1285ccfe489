import { openTestPostgres } from '../../test/support/databases';
import { chartSeedContract, ledgerContract } from './ledger.contract';

describe('PrismaLedger on PostgreSQL', () => {
  ledgerContract(openTestPostgres);
  describe('chart of accounts', () => chartSeedContract(openTestPostgres));
});
