-- AlterTable
ALTER TABLE "finance_settings" ALTER COLUMN "active_currencies" SET DATA TYPE TEXT[];

-- (CHAR(3)[] read back as an unknown type through the PGlite adapter; TEXT[] with a check instead.)
ALTER TABLE "finance_settings" ADD CONSTRAINT "finance_settings_active_iso4217" CHECK (
  array_to_string("active_currencies", ',') ~ '^([A-Z]{3}(,[A-Z]{3})*)?$');
