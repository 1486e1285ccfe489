import { openTestPglite } from '../../test/support/databases';
import { atolContract } from './atol.contract';

describe('ATOL store on embedded PGlite', () => atolContract(openTestPglite));
