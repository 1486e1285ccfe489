import { openIsolatedTestPostgres } from '../../test/support/databases';
import { ledgerTranslationContract } from './ledger-translation.contract';

describe('ledger translation to base on PostgreSQL', () => ledgerTranslationContract(openIsolatedTestPostgres));
