-- CreateEnum
CREATE TYPE "CustomerStatus" AS ENUM ('ACTIVE', 'ARCHIVED');

-- CreateTable
CREATE TABLE "advisors" (
    "id" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "email" VARCHAR(254),
    "branch" VARCHAR(64),
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "advisors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "households" (
    "id" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "households_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customers" (
    "id" VARCHAR(64) NOT NULL,
    "status" "CustomerStatus" NOT NULL DEFAULT 'ACTIVE',
    "archived_reason" VARCHAR(200),
    "title" VARCHAR(32),
    "first_name" VARCHAR(100),
    "last_name" VARCHAR(100) NOT NULL,
    "search_name" VARCHAR(220) NOT NULL,
    "date_of_birth" DATE,
    "customer_since" DATE,
    "advisor_id" VARCHAR(64),
    "household_id" VARCHAR(64),
    "preferences" JSONB NOT NULL,
    "contact_preferences" JSONB NOT NULL,
    "financial_currency" CHAR(3),
    "credit_limit" DECIMAL(18,4),
    "outstanding_balance" DECIMAL(18,4) NOT NULL DEFAULT 0,
    "loyalty_tier" VARCHAR(32),
    "loyalty_points" INTEGER NOT NULL DEFAULT 0,
    "legacy_loyalty_balance" INTEGER,
    "trip_count" INTEGER NOT NULL DEFAULT 0,
    "first_trip_on" DATE,
    "last_trip_on" DATE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "customers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_legacy_ids" (
    "system" VARCHAR(32) NOT NULL,
    "legacy_id" VARCHAR(64) NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,

    CONSTRAINT "customer_legacy_ids_pkey" PRIMARY KEY ("system","legacy_id")
);

-- CreateTable
CREATE TABLE "customer_emails" (
    "id" UUID NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "address" VARCHAR(254) NOT NULL,
    "normalized" VARCHAR(254) NOT NULL,
    "primary" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "customer_emails_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_phones" (
    "id" UUID NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "raw" VARCHAR(40) NOT NULL,
    "e164" VARCHAR(16) NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "primary" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "customer_phones_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_addresses" (
    "id" UUID NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "line1" VARCHAR(200) NOT NULL,
    "line2" VARCHAR(200),
    "city" VARCHAR(100) NOT NULL,
    "region" VARCHAR(100),
    "postal_code" VARCHAR(20),
    "country" CHAR(2) NOT NULL,

    CONSTRAINT "customer_addresses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_passports" (
    "id" UUID NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "number" VARCHAR(20) NOT NULL,
    "normalized_number" VARCHAR(20) NOT NULL,
    "country" CHAR(2) NOT NULL,
    "issued_on" DATE,
    "expires_on" DATE NOT NULL,

    CONSTRAINT "customer_passports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_trips" (
    "id" UUID NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "source_key" VARCHAR(120) NOT NULL,
    "reference" VARCHAR(32) NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE NOT NULL,
    "destinations" TEXT[],
    "products" TEXT[],
    "pax" INTEGER NOT NULL,
    "value" DECIMAL(18,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "payment_status" VARCHAR(16) NOT NULL,
    "advisor_id" VARCHAR(64),
    "components" JSONB,

    CONSTRAINT "customer_trips_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "loyalty_transactions" (
    "id" UUID NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "source_key" VARCHAR(120) NOT NULL,
    "occurred_on" DATE NOT NULL,
    "points" INTEGER NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "description" VARCHAR(200),
    "trip_reference" VARCHAR(32),

    CONSTRAINT "loyalty_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_consents" (
    "id" UUID NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "source_key" VARCHAR(160) NOT NULL,
    "purpose" VARCHAR(24) NOT NULL,
    "granted" BOOLEAN NOT NULL,
    "recorded_on" DATE NOT NULL,
    "source" VARCHAR(100) NOT NULL,

    CONSTRAINT "customer_consents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_payment_methods" (
    "id" UUID NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "token" VARCHAR(128) NOT NULL,
    "brand" VARCHAR(24),
    "last4" CHAR(4),
    "expiry" CHAR(7),

    CONSTRAINT "customer_payment_methods_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "advisor_assignments" (
    "id" UUID NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "advisor_id" VARCHAR(64) NOT NULL,
    "from_at" TIMESTAMPTZ(3) NOT NULL,
    "to_at" TIMESTAMPTZ(3),
    "reason" VARCHAR(200) NOT NULL,

    CONSTRAINT "advisor_assignments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "migration_runs" (
    "id" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "dry_run" BOOLEAN NOT NULL,
    "source" VARCHAR(500) NOT NULL,
    "options" JSONB NOT NULL,
    "phase" VARCHAR(32) NOT NULL,
    "counts" JSONB NOT NULL,
    "report" JSONB,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "migration_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "migration_row_issues" (
    "id" BIGSERIAL NOT NULL,
    "run_id" VARCHAR(64) NOT NULL,
    "file" VARCHAR(16) NOT NULL,
    "row" INTEGER NOT NULL,
    "field" VARCHAR(64),
    "code" VARCHAR(40) NOT NULL,
    "message" VARCHAR(500) NOT NULL,
    "severity" VARCHAR(8) NOT NULL,

    CONSTRAINT "migration_row_issues_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "migration_merges" (
    "id" BIGSERIAL NOT NULL,
    "run_id" VARCHAR(64) NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "survivor_legacy_id" VARCHAR(64) NOT NULL,
    "merged_legacy_ids" TEXT[],
    "reasons" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "migration_merges_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "migration_staged_customers" (
    "run_id" VARCHAR(64) NOT NULL,
    "legacy_id" VARCHAR(64) NOT NULL,
    "row" INTEGER NOT NULL,
    "record" JSONB NOT NULL,
    "keys" JSONB NOT NULL,
    "trip_count" INTEGER NOT NULL DEFAULT 0,
    "last_trip_on" DATE,
    "has_open_booking" BOOLEAN NOT NULL DEFAULT false,
    "loyalty_sum" INTEGER NOT NULL DEFAULT 0,
    "survivor_legacy_id" VARCHAR(64),

    CONSTRAINT "migration_staged_customers_pkey" PRIMARY KEY ("run_id","legacy_id")
);

-- CreateTable
CREATE TABLE "migration_chunks" (
    "run_id" VARCHAR(64) NOT NULL,
    "file" VARCHAR(16) NOT NULL,
    "chunk" INTEGER NOT NULL,
    "counts" JSONB NOT NULL,

    CONSTRAINT "migration_chunks_pkey" PRIMARY KEY ("run_id","file","chunk")
);

-- CreateIndex
-- text_pattern_ops: name search is a prefix LIKE, which a plain btree index cannot serve outside the C locale.
CREATE INDEX "customers_search_name_idx" ON "customers"("search_name" text_pattern_ops);

-- CreateIndex
CREATE INDEX "customers_advisor_id_idx" ON "customers"("advisor_id");

-- CreateIndex
CREATE INDEX "customers_household_id_idx" ON "customers"("household_id");

-- CreateIndex
CREATE INDEX "customers_status_last_trip_on_idx" ON "customers"("status", "last_trip_on");

-- CreateIndex
CREATE INDEX "customer_legacy_ids_customer_id_idx" ON "customer_legacy_ids"("customer_id");

-- CreateIndex
CREATE INDEX "customer_emails_normalized_idx" ON "customer_emails"("normalized");

-- CreateIndex
CREATE UNIQUE INDEX "customer_emails_customer_id_normalized_key" ON "customer_emails"("customer_id", "normalized");

-- CreateIndex
CREATE INDEX "customer_phones_e164_idx" ON "customer_phones"("e164");

-- CreateIndex
CREATE UNIQUE INDEX "customer_phones_customer_id_e164_key" ON "customer_phones"("customer_id", "e164");

-- CreateIndex
CREATE UNIQUE INDEX "customer_addresses_customer_id_kind_line1_city_country_key" ON "customer_addresses"("customer_id", "kind", "line1", "city", "country");

-- CreateIndex
CREATE INDEX "customer_passports_normalized_number_idx" ON "customer_passports"("normalized_number");

-- CreateIndex
CREATE UNIQUE INDEX "customer_passports_customer_id_country_normalized_number_key" ON "customer_passports"("customer_id", "country", "normalized_number");

-- CreateIndex
CREATE UNIQUE INDEX "customer_trips_source_key_key" ON "customer_trips"("source_key");

-- CreateIndex
CREATE INDEX "customer_trips_customer_id_start_date_idx" ON "customer_trips"("customer_id", "start_date");

-- CreateIndex
CREATE INDEX "customer_trips_reference_idx" ON "customer_trips"("reference");

-- CreateIndex
CREATE UNIQUE INDEX "loyalty_transactions_source_key_key" ON "loyalty_transactions"("source_key");

-- CreateIndex
CREATE INDEX "loyalty_transactions_customer_id_occurred_on_idx" ON "loyalty_transactions"("customer_id", "occurred_on");

-- CreateIndex
CREATE UNIQUE INDEX "customer_consents_source_key_key" ON "customer_consents"("source_key");

-- CreateIndex
CREATE INDEX "customer_consents_customer_id_purpose_recorded_on_idx" ON "customer_consents"("customer_id", "purpose", "recorded_on");

-- CreateIndex
CREATE UNIQUE INDEX "customer_payment_methods_customer_id_token_key" ON "customer_payment_methods"("customer_id", "token");

-- CreateIndex
CREATE INDEX "advisor_assignments_customer_id_from_at_idx" ON "advisor_assignments"("customer_id", "from_at");

-- CreateIndex
CREATE INDEX "migration_runs_started_at_idx" ON "migration_runs"("started_at");

-- CreateIndex
CREATE INDEX "migration_row_issues_run_id_file_row_idx" ON "migration_row_issues"("run_id", "file", "row");

-- CreateIndex
CREATE INDEX "migration_merges_customer_id_idx" ON "migration_merges"("customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "migration_merges_run_id_survivor_legacy_id_key" ON "migration_merges"("run_id", "survivor_legacy_id");

-- CreateIndex
CREATE INDEX "migration_staged_customers_run_id_survivor_legacy_id_idx" ON "migration_staged_customers"("run_id", "survivor_legacy_id");

-- AddForeignKey
ALTER TABLE "customers" ADD CONSTRAINT "customers_advisor_id_fkey" FOREIGN KEY ("advisor_id") REFERENCES "advisors"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customers" ADD CONSTRAINT "customers_household_id_fkey" FOREIGN KEY ("household_id") REFERENCES "households"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_legacy_ids" ADD CONSTRAINT "customer_legacy_ids_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_emails" ADD CONSTRAINT "customer_emails_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_phones" ADD CONSTRAINT "customer_phones_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_addresses" ADD CONSTRAINT "customer_addresses_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_passports" ADD CONSTRAINT "customer_passports_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_trips" ADD CONSTRAINT "customer_trips_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "loyalty_transactions" ADD CONSTRAINT "loyalty_transactions_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_consents" ADD CONSTRAINT "customer_consents_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_payment_methods" ADD CONSTRAINT "customer_payment_methods_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "advisor_assignments" ADD CONSTRAINT "advisor_assignments_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "advisor_assignments" ADD CONSTRAINT "advisor_assignments_advisor_id_fkey" FOREIGN KEY ("advisor_id") REFERENCES "advisors"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

