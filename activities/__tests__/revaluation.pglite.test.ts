import { openTestPglite } from '../../test/support/databases';
import { revaluationContract } from './revaluation.contract';

describe('PrismaFxRevaluation on embedded PGlite', () => revaluationContract(openTestPglite));
