import { openIsolatedTestPostgres } from '../../test/support/databases';
import { atolContract } from './atol.contract';

// A database of its own: the returns and the APC payable balance read every record.
describe('ATOL store on PostgreSQL', () => atolContract(openIsolatedTestPostgres));
