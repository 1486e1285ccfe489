import { openTestPostgres } from '../../test/support/databases';
import { ledgerContract } from './ledger.contract';

describe('PrismaLedger on PostgreSQL', () => {
  ledgerContract(openTestPostgres);
});
