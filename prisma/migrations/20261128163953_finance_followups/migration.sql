
-- AlterTable
ALTER TABLE "fx_revaluation_runs" ADD COLUMN     "completed_at" TIMESTAMPTZ(3),
ADD COLUMN     "reversed_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "deferred_revenue_items" ADD COLUMN     "base_currency" CHAR(3),
ADD COLUMN     "base_rate" DECIMAL(24,10),
ADD COLUMN     "cancelled_at" TIMESTAMPTZ(3),
ADD COLUMN     "deferred_account" VARCHAR(160),
ADD COLUMN     "rate_date" DATE,
ADD COLUMN     "rate_source" VARCHAR(32),
ADD COLUMN     "revenue_account" VARCHAR(160);

-- AlterTable
ALTER TABLE "atol_booking_records" ADD COLUMN     "booking_date" DATE,
ADD COLUMN     "facts_hash" CHAR(64),
ADD COLUMN     "licence_number" VARCHAR(16);


-- CreateIndex
CREATE UNIQUE INDEX "atol_rules_name_effective_from_key" ON "atol_rules"("name", "effective_from");


-- Hand-written: a component's historical rate is complete or absent.
ALTER TABLE "deferred_revenue_items" ADD CONSTRAINT "deferred_revenue_items_rate_complete" CHECK (
  ("base_rate" IS NULL AND "base_currency" IS NULL) OR ("base_rate" > 0 AND "base_currency" ~ '^[A-Z]{3}$' AND "rate_source" IS NOT NULL AND "rate_date" IS NOT NULL));
