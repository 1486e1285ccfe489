-- CreateEnum
CREATE TYPE "TranslationRule" AS ENUM ('BOOKING_DATE', 'PAYMENT_DATE', 'PERIOD_AVERAGE');

-- AlterTable
ALTER TABLE "journal_entries" ADD COLUMN     "booking_ref" VARCHAR(32),
ADD COLUMN     "kind" VARCHAR(32) NOT NULL DEFAULT 'standard';

-- AlterTable
ALTER TABLE "postings" ADD COLUMN     "base_amount" DECIMAL(20,4),
ADD COLUMN     "base_currency" CHAR(3),
ADD COLUMN     "fx_rate" DECIMAL(24,10),
ADD COLUMN     "fx_rate_date" DATE,
ADD COLUMN     "fx_rate_source" VARCHAR(32),
ADD COLUMN     "revalues_currency" CHAR(3),
ADD COLUMN     "translation_rule" "TranslationRule";

-- CreateTable
CREATE TABLE "finance_settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "base_currency" CHAR(3) NOT NULL,
    "rate_source" VARCHAR(32) NOT NULL DEFAULT 'ECB',
    "active_currencies" CHAR(3)[],
    "recognition_policy" VARCHAR(24) NOT NULL DEFAULT 'PRO_RATA_DAILY',
    "no_show_policy" VARCHAR(24) NOT NULL DEFAULT 'SCHEDULED_DATE',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_by" VARCHAR(64),

    CONSTRAINT "finance_settings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fx_translation_rules" (
    "transaction_type" VARCHAR(40) NOT NULL,
    "rule" "TranslationRule" NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "fx_translation_rules_pkey" PRIMARY KEY ("transaction_type")
);

-- CreateTable
CREATE TABLE "product_account_map" (
    "product_type" VARCHAR(32) NOT NULL,
    "revenue_prefix" VARCHAR(160) NOT NULL,
    "deferred_account" VARCHAR(160) NOT NULL,
    "cost_account" VARCHAR(160) NOT NULL,

    CONSTRAINT "product_account_map_pkey" PRIMARY KEY ("product_type")
);

-- CreateTable
CREATE TABLE "fx_revaluation_runs" (
    "id" UUID NOT NULL,
    "period_end" DATE NOT NULL,
    "base_currency" CHAR(3) NOT NULL,
    "rate_source" VARCHAR(32) NOT NULL,
    "entry_id" UUID,
    "reversal_entry_id" UUID,
    "balances" INTEGER NOT NULL DEFAULT 0,
    "total_gain" DECIMAL(20,4) NOT NULL DEFAULT 0,
    "total_loss" DECIMAL(20,4) NOT NULL DEFAULT 0,
    "started_by" VARCHAR(120),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fx_revaluation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fx_revaluation_lines" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "account" VARCHAR(160) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "foreign_balance" DECIMAL(20,4) NOT NULL,
    "carrying_base" DECIMAL(20,4) NOT NULL,
    "closing_rate" DECIMAL(24,10) NOT NULL,
    "closing_rate_date" DATE NOT NULL,
    "revalued_base" DECIMAL(20,4) NOT NULL,
    "difference" DECIMAL(20,4) NOT NULL,

    CONSTRAINT "fx_revaluation_lines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deferred_revenue_items" (
    "id" UUID NOT NULL,
    "booking_ref" VARCHAR(32) NOT NULL,
    "component_id" VARCHAR(64) NOT NULL,
    "product_type" VARCHAR(32) NOT NULL,
    "channel" VARCHAR(16) NOT NULL,
    "amount" DECIMAL(20,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "service_start" DATE NOT NULL,
    "service_end" DATE NOT NULL,
    "policy" VARCHAR(24) NOT NULL,
    "no_show_policy" VARCHAR(24) NOT NULL,
    "status" VARCHAR(24) NOT NULL DEFAULT 'OPEN',
    "recognised" DECIMAL(20,4) NOT NULL DEFAULT 0,
    "supplier_confirmed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deferred_revenue_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "revenue_recognitions" (
    "id" BIGSERIAL NOT NULL,
    "item_id" UUID NOT NULL,
    "recognition_date" DATE NOT NULL,
    "amount" DECIMAL(20,4) NOT NULL,
    "entry_id" UUID NOT NULL,

    CONSTRAINT "revenue_recognitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "commission_schedules" (
    "id" UUID NOT NULL,
    "supplier" VARCHAR(64) NOT NULL,
    "product_type" VARCHAR(32),
    "valid_from" DATE NOT NULL,
    "valid_to" DATE,
    "basis" VARCHAR(8) NOT NULL,
    "rate" DECIMAL(9,4),
    "fixed_amount" DECIMAL(20,4),
    "currency" CHAR(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "commission_schedules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "commission_tiers" (
    "id" UUID NOT NULL,
    "schedule_id" UUID NOT NULL,
    "threshold" DECIMAL(20,4) NOT NULL,
    "basis" VARCHAR(8) NOT NULL,
    "rate" DECIMAL(9,4),
    "fixed_amount" DECIMAL(20,4),

    CONSTRAINT "commission_tiers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sub_agents" (
    "code" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "rate" DECIMAL(9,4) NOT NULL,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sub_agents_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "atol_rules" (
    "id" UUID NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "priority" INTEGER NOT NULL,
    "effective_from" DATE NOT NULL,
    "effective_to" DATE,
    "criteria" JSONB NOT NULL,
    "classification" VARCHAR(32) NOT NULL,

    CONSTRAINT "atol_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "atol_contribution_rates" (
    "id" UUID NOT NULL,
    "effective_from" DATE NOT NULL,
    "per_passenger" DECIMAL(20,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,

    CONSTRAINT "atol_contribution_rates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "atol_licences" (
    "number" VARCHAR(16) NOT NULL,
    "holder" VARCHAR(200) NOT NULL,
    "return_frequency" VARCHAR(12) NOT NULL,
    "turnover_band" VARCHAR(32) NOT NULL,
    "valid_from" DATE NOT NULL,
    "valid_to" DATE,

    CONSTRAINT "atol_licences_pkey" PRIMARY KEY ("number")
);

-- CreateTable
CREATE TABLE "atol_booking_records" (
    "booking_ref" VARCHAR(32) NOT NULL,
    "classification" VARCHAR(32) NOT NULL,
    "rule_id" UUID,
    "seller_country" CHAR(2) NOT NULL,
    "passengers" INTEGER NOT NULL,
    "departure_date" DATE NOT NULL,
    "revenue" DECIMAL(20,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "contribution" DECIMAL(20,4) NOT NULL DEFAULT 0,
    "contribution_currency" CHAR(3),
    "entry_id" UUID,
    "classified_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "atol_booking_records_pkey" PRIMARY KEY ("booking_ref")
);

-- CreateIndex
CREATE UNIQUE INDEX "fx_revaluation_runs_period_end_key" ON "fx_revaluation_runs"("period_end");

-- CreateIndex
CREATE UNIQUE INDEX "fx_revaluation_lines_run_id_account_currency_key" ON "fx_revaluation_lines"("run_id", "account", "currency");

-- CreateIndex
CREATE INDEX "deferred_revenue_items_status_service_start_idx" ON "deferred_revenue_items"("status", "service_start");

-- CreateIndex
CREATE UNIQUE INDEX "deferred_revenue_items_booking_ref_component_id_key" ON "deferred_revenue_items"("booking_ref", "component_id");

-- CreateIndex
CREATE UNIQUE INDEX "revenue_recognitions_item_id_recognition_date_key" ON "revenue_recognitions"("item_id", "recognition_date");

-- CreateIndex
CREATE INDEX "commission_schedules_supplier_valid_from_idx" ON "commission_schedules"("supplier", "valid_from");

-- CreateIndex
CREATE UNIQUE INDEX "commission_tiers_schedule_id_threshold_key" ON "commission_tiers"("schedule_id", "threshold");

-- CreateIndex
CREATE INDEX "atol_rules_effective_from_idx" ON "atol_rules"("effective_from");

-- CreateIndex
CREATE UNIQUE INDEX "atol_contribution_rates_effective_from_key" ON "atol_contribution_rates"("effective_from");

-- CreateIndex
CREATE INDEX "atol_booking_records_departure_date_idx" ON "atol_booking_records"("departure_date");

-- CreateIndex
CREATE INDEX "journal_entries_kind_accounting_date_idx" ON "journal_entries"("kind", "accounting_date");

-- CreateIndex
CREATE INDEX "journal_entries_booking_ref_idx" ON "journal_entries"("booking_ref");

-- AddForeignKey
ALTER TABLE "fx_revaluation_lines" ADD CONSTRAINT "fx_revaluation_lines_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "fx_revaluation_runs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "revenue_recognitions" ADD CONSTRAINT "revenue_recognitions_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "deferred_revenue_items"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "commission_tiers" ADD CONSTRAINT "commission_tiers_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "commission_schedules"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- ============================================================================================
-- Hand-written: keep translations and configuration honest in the database too.

ALTER TABLE "finance_settings" ADD CONSTRAINT "finance_settings_one_row" CHECK ("id" = 1);
ALTER TABLE "finance_settings" ADD CONSTRAINT "finance_settings_base_iso4217" CHECK ("base_currency" ~ '^[A-Z]{3}$');
ALTER TABLE "finance_settings" ADD CONSTRAINT "finance_settings_policies" CHECK (
  "recognition_policy" IN ('PRO_RATA_DAILY', 'AT_DEPARTURE') AND "no_show_policy" IN ('SCHEDULED_DATE', 'SUPPLIER_CONFIRMATION'));
ALTER TABLE "postings" ADD CONSTRAINT "postings_translation_complete" CHECK (
  ("base_amount" IS NULL AND "base_currency" IS NULL AND "fx_rate" IS NULL)
  OR ("base_amount" IS NOT NULL AND "base_currency" IS NOT NULL AND "fx_rate" > 0 AND "fx_rate_source" IS NOT NULL AND "fx_rate_date" IS NOT NULL));
ALTER TABLE "postings" ADD CONSTRAINT "postings_revaluation_in_base" CHECK (
  "revalues_currency" IS NULL OR ("base_currency" = "currency" AND "revalues_currency" <> "currency"));
ALTER TABLE "commission_schedules" ADD CONSTRAINT "commission_schedules_basis" CHECK (
  ("basis" = 'PERCENT' AND "rate" > 0 AND "rate" <= 100) OR ("basis" = 'FIXED' AND "fixed_amount" > 0 AND "currency" ~ '^[A-Z]{3}$'));
ALTER TABLE "commission_tiers" ADD CONSTRAINT "commission_tiers_basis" CHECK (
  "threshold" >= 0 AND (("basis" = 'PERCENT' AND "rate" > 0 AND "rate" <= 100) OR ("basis" = 'FIXED' AND "fixed_amount" > 0)));
ALTER TABLE "sub_agents" ADD CONSTRAINT "sub_agents_rate" CHECK ("rate" >= 0 AND "rate" <= 100);
ALTER TABLE "deferred_revenue_items" ADD CONSTRAINT "deferred_revenue_items_amounts" CHECK (
  "amount" > 0 AND "recognised" >= 0 AND "recognised" <= "amount" AND "service_end" >= "service_start");
ALTER TABLE "revenue_recognitions" ADD CONSTRAINT "revenue_recognitions_positive" CHECK ("amount" > 0);
ALTER TABLE "atol_booking_records" ADD CONSTRAINT "atol_booking_records_passengers" CHECK ("passengers" > 0 AND "contribution" >= 0);

-- Revaluation lines post in base currency on a single-currency account (asset:bank:USD) to adjust
-- its base carrying value: allowed only when the line says which currency it revalues.
CREATE OR REPLACE FUNCTION ledger_check_posting_account() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  acct record;
BEGIN
  SELECT code, currency, is_active INTO acct FROM ledger_accounts WHERE id = NEW.account_id;
  IF NOT acct.is_active THEN
    RAISE EXCEPTION 'ledger: account % is inactive', acct.code USING ERRCODE = '23514';
  END IF;
  IF acct.currency IS NOT NULL AND acct.currency <> NEW.currency
     AND NEW.revalues_currency IS DISTINCT FROM acct.currency THEN
    RAISE EXCEPTION 'ledger: account % holds %, not %', acct.code, acct.currency, NEW.currency USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$;

-- An entry balances per currency and, when every posting is translated, in base currency too.
CREATE OR REPLACE FUNCTION ledger_assert_entry_balanced(entry uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  lines integer;
  translated integer;
  base_difference numeric;
  off record;
BEGIN
  SELECT count(*), count(base_amount),
         sum(CASE side WHEN 'DEBIT' THEN base_amount ELSE -base_amount END)
    INTO lines, translated, base_difference
    FROM postings WHERE entry_id = entry;
  IF lines < 2 THEN
    RAISE EXCEPTION 'ledger: journal entry % has % posting(s); an entry needs at least two', entry, lines
      USING ERRCODE = '23514';
  END IF;
  SELECT currency, sum(CASE side WHEN 'DEBIT' THEN amount ELSE -amount END) AS difference INTO off
    FROM postings WHERE entry_id = entry
   GROUP BY currency
  HAVING sum(CASE side WHEN 'DEBIT' THEN amount ELSE -amount END) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger: journal entry % does not balance in %: debits - credits = %', entry, off.currency, off.difference
      USING ERRCODE = '23514';
  END IF;
  IF translated = lines AND base_difference <> 0 THEN
    RAISE EXCEPTION 'ledger: journal entry % does not balance in base currency: debits - credits = %', entry, base_difference
      USING ERRCODE = '23514';
  END IF;
END
$$;
