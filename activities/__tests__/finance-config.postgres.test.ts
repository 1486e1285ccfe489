import { openIsolatedTestPostgres } from '../../test/support/databases';
import { financeConfigContract } from './finance-config.contract';

describe('finance configuration and readiness on PostgreSQL', () => financeConfigContract(openIsolatedTestPostgres));
