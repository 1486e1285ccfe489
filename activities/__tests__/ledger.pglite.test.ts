import { openTestPglite } from '../../test/support/databases';
import { ledgerContract } from './ledger.contract';

describe('PrismaLedger on embedded PGlite', () => {
  ledgerContract(openTestPglite);
});
