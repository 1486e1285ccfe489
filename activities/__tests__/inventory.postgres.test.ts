import { openDatabase } from '../../infra/database';
import { openTestPostgres } from '../../test/support/databases';
import { inventoryContract } from './inventory.contract';

describe('PrismaInventory on PostgreSQL', () => {
  // The race runs on a pool of its own, large enough for the attempts to really overlap.
  inventoryContract(openTestPostgres, () => openDatabase({ databaseUrl: process.env.ITINERA_TEST_PG_URL!, poolSize: 16 }));
});
