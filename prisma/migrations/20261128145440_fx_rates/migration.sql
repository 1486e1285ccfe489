-- CreateTable
CREATE TABLE "fx_rates" (
    "id" UUID NOT NULL,
    "source" VARCHAR(32) NOT NULL,
    "base_currency" CHAR(3) NOT NULL,
    "quote_currency" CHAR(3) NOT NULL,
    "rate" DECIMAL(24,10) NOT NULL,
    "rate_date" DATE NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "imported_by" VARCHAR(64),

    CONSTRAINT "fx_rates_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "fx_rates_source_rate_date_idx" ON "fx_rates"("source", "rate_date");

-- CreateIndex
CREATE UNIQUE INDEX "fx_rates_source_base_currency_quote_currency_rate_date_key" ON "fx_rates"("source", "base_currency", "quote_currency", "rate_date");


-- Hand-written: rates are positive and codes look like ISO 4217 (the feed's set of codes changes,
-- so no fixed list is enforced here).
ALTER TABLE "fx_rates" ADD CONSTRAINT "fx_rates_rate_positive" CHECK ("rate" > 0);
ALTER TABLE "fx_rates" ADD CONSTRAINT "fx_rates_codes" CHECK ("base_currency" ~ '^[A-Z]{3}$' AND "quote_currency" ~ '^[A-Z]{3}$' AND "base_currency" <> "quote_currency");
