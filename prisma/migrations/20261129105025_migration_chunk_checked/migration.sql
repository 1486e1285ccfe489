-- AlterTable
ALTER TABLE "migration_chunks" ADD COLUMN     "checked" TEXT;

