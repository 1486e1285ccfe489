import { openTestPglite } from '../../test/support/databases';
import { financeConfigContract } from './finance-config.contract';

describe('finance configuration and readiness on embedded PGlite', () => financeConfigContract(openTestPglite));
