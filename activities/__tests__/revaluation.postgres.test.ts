import { openIsolatedTestPostgres } from '../../test/support/databases';
import { revaluationContract } from './revaluation.contract';

// Its own database: a revaluation reads the whole ledger and writes the one-row finance settings.
describe('PrismaFxRevaluation on PostgreSQL', () => revaluationContract(openIsolatedTestPostgres));
