-- CreateTable
CREATE TABLE "suppliers" (
    "id" UUID NOT NULL,
    "code" VARCHAR(32) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "type" VARCHAR(24) NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "contacts" JSONB NOT NULL DEFAULT '[]',
    "iban" VARCHAR(34),
    "bic" VARCHAR(11),
    "account_number" VARCHAR(34),
    "deposit_percent" DECIMAL(7,4) NOT NULL,
    "balance_due_days_before_travel" INTEGER NOT NULL,
    "net_days_after_invoice" INTEGER NOT NULL,
    "preferred_payment_method" VARCHAR(16) NOT NULL,
    "invoice_currency" CHAR(3) NOT NULL,
    "payment_currency" CHAR(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suppliers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "supplier_policy_windows" (
    "id" UUID NOT NULL,
    "supplier_id" UUID NOT NULL,
    "policy" VARCHAR(12) NOT NULL,
    "from_days_before" INTEGER NOT NULL,
    "to_days_before" INTEGER NOT NULL,
    "basis" VARCHAR(8) NOT NULL,
    "scope" VARCHAR(12) NOT NULL,
    "amount" DECIMAL(18,4) NOT NULL,
    "currency" CHAR(3),
    "non_refundable" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "supplier_policy_windows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "products" (
    "id" UUID NOT NULL,
    "supplier_id" UUID NOT NULL,
    "code" VARCHAR(48) NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "destination" VARCHAR(64) NOT NULL,
    "country" CHAR(2) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "min_pax" INTEGER NOT NULL,
    "max_pax" INTEGER NOT NULL,
    "guaranteed_threshold" INTEGER,
    "duration_nights" INTEGER,
    "details" JSONB NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "product_categories" (
    "product_id" UUID NOT NULL,
    "code" VARCHAR(32) NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "max_occupancy" INTEGER NOT NULL,
    "standard_occupancy" INTEGER NOT NULL,

    CONSTRAINT "product_categories_pkey" PRIMARY KEY ("product_id","code")
);

-- CreateTable
CREATE TABLE "product_rates" (
    "id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "category" VARCHAR(32) NOT NULL,
    "rate_plan" VARCHAR(32) NOT NULL,
    "board_basis" VARCHAR(4),
    "valid_from" DATE NOT NULL,
    "valid_to" DATE NOT NULL,
    "weekday_mask" SMALLINT NOT NULL,
    "basis" VARCHAR(24) NOT NULL,
    "amount" DECIMAL(18,4) NOT NULL,
    "single_supplement" DECIMAL(18,4),
    "extra_night" DECIMAL(18,4),
    "sell_amount" DECIMAL(18,4),

    CONSTRAINT "product_rates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "product_child_bands" (
    "product_id" UUID NOT NULL,
    "min_age" INTEGER NOT NULL,
    "max_age" INTEGER NOT NULL,
    "discount_percent" DECIMAL(7,4) NOT NULL,

    CONSTRAINT "product_child_bands_pkey" PRIMARY KEY ("product_id","min_age")
);

-- CreateTable
CREATE TABLE "product_taxes" (
    "product_id" UUID NOT NULL,
    "code" VARCHAR(16) NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "kind" VARCHAR(24) NOT NULL,
    "amount" DECIMAL(18,4) NOT NULL,
    "applies_to_children" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "product_taxes_pkey" PRIMARY KEY ("product_id","code")
);

-- CreateTable
CREATE TABLE "tour_departures" (
    "product_id" UUID NOT NULL,
    "departure_date" DATE NOT NULL,
    "status" VARCHAR(12) NOT NULL DEFAULT 'SCHEDULED',

    CONSTRAINT "tour_departures_pkey" PRIMARY KEY ("product_id","departure_date")
);

-- CreateTable
CREATE TABLE "markup_rules" (
    "product_type" VARCHAR(16) NOT NULL,
    "channel" VARCHAR(16) NOT NULL,
    "percent" DECIMAL(7,4) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "markup_rules_pkey" PRIMARY KEY ("product_type","channel")
);

-- CreateTable
CREATE TABLE "allotment_contracts" (
    "id" UUID NOT NULL,
    "code" VARCHAR(48) NOT NULL,
    "supplier_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "category" VARCHAR(32) NOT NULL,
    "valid_from" DATE NOT NULL,
    "valid_to" DATE NOT NULL,
    "quantity" INTEGER NOT NULL,
    "contracted_price" DECIMAL(18,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "basis" VARCHAR(24) NOT NULL,
    "release_rule" JSONB NOT NULL,
    "min_group_size" INTEGER NOT NULL,
    "max_group_size" INTEGER NOT NULL,
    "status" VARCHAR(12) NOT NULL DEFAULT 'ACTIVE',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "allotment_contracts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inventory" (
    "product_id" UUID NOT NULL,
    "category" VARCHAR(32) NOT NULL,
    "stay_date" DATE NOT NULL,
    "contract_id" UUID NOT NULL,
    "allotment" INTEGER NOT NULL,
    "held" INTEGER NOT NULL DEFAULT 0,
    "sold" INTEGER NOT NULL DEFAULT 0,
    "released" INTEGER NOT NULL DEFAULT 0,
    "release_on" DATE,
    "released_at" TIMESTAMPTZ(3),
    "version" BIGINT NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inventory_pkey" PRIMARY KEY ("product_id","category","stay_date")
);

-- CreateTable
CREATE TABLE "stop_sales" (
    "id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "category" VARCHAR(32),
    "date_from" DATE NOT NULL,
    "date_to" DATE NOT NULL,
    "reason" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stop_sales_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inventory_holds" (
    "id" UUID NOT NULL,
    "reference" VARCHAR(128) NOT NULL,
    "product_id" UUID NOT NULL,
    "category" VARCHAR(32) NOT NULL,
    "stay_from" DATE NOT NULL,
    "stay_to" DATE NOT NULL,
    "quantity" INTEGER NOT NULL,
    "status" VARCHAR(10) NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inventory_holds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "allotment_releases" (
    "id" UUID NOT NULL,
    "contract_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "category" VARCHAR(32) NOT NULL,
    "stay_date" DATE NOT NULL,
    "quantity" INTEGER NOT NULL,
    "release_on" DATE NOT NULL,
    "run_date" DATE NOT NULL,
    "released_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notified_at" TIMESTAMPTZ(3),

    CONSTRAINT "allotment_releases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "catalog_import_runs" (
    "id" UUID NOT NULL,
    "kind" VARCHAR(24) NOT NULL,
    "source" VARCHAR(200) NOT NULL,
    "dry_run" BOOLEAN NOT NULL,
    "skip_bad" BOOLEAN NOT NULL,
    "total" INTEGER NOT NULL,
    "created" INTEGER NOT NULL,
    "updated" INTEGER NOT NULL,
    "unchanged" INTEGER NOT NULL,
    "skipped" INTEGER NOT NULL,
    "problems" INTEGER NOT NULL,
    "report" JSONB NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "catalog_import_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "suppliers_code_key" ON "suppliers"("code");

-- CreateIndex
CREATE INDEX "suppliers_type_active_idx" ON "suppliers"("type", "active");

-- CreateIndex
CREATE INDEX "supplier_policy_windows_supplier_id_policy_idx" ON "supplier_policy_windows"("supplier_id", "policy");

-- CreateIndex
CREATE INDEX "products_destination_type_active_idx" ON "products"("destination", "type", "active");

-- CreateIndex
CREATE UNIQUE INDEX "products_supplier_id_code_key" ON "products"("supplier_id", "code");

-- CreateIndex
CREATE INDEX "product_rates_product_id_category_valid_from_idx" ON "product_rates"("product_id", "category", "valid_from");

-- CreateIndex
CREATE INDEX "tour_departures_departure_date_idx" ON "tour_departures"("departure_date");

-- CreateIndex
CREATE UNIQUE INDEX "allotment_contracts_code_key" ON "allotment_contracts"("code");

-- CreateIndex
CREATE INDEX "allotment_contracts_product_id_category_idx" ON "allotment_contracts"("product_id", "category");

-- CreateIndex
CREATE INDEX "inventory_contract_id_idx" ON "inventory"("contract_id");

-- CreateIndex
CREATE INDEX "inventory_release_on_idx" ON "inventory"("release_on");

-- CreateIndex
CREATE INDEX "stop_sales_product_id_date_from_idx" ON "stop_sales"("product_id", "date_from");

-- CreateIndex
CREATE UNIQUE INDEX "inventory_holds_reference_key" ON "inventory_holds"("reference");

-- CreateIndex
CREATE INDEX "inventory_holds_status_expires_at_idx" ON "inventory_holds"("status", "expires_at");

-- CreateIndex
CREATE INDEX "inventory_holds_product_id_category_stay_from_idx" ON "inventory_holds"("product_id", "category", "stay_from");

-- CreateIndex
CREATE INDEX "allotment_releases_contract_id_notified_at_idx" ON "allotment_releases"("contract_id", "notified_at");

-- CreateIndex
CREATE UNIQUE INDEX "allotment_releases_product_id_category_stay_date_key" ON "allotment_releases"("product_id", "category", "stay_date");

-- CreateIndex
CREATE INDEX "catalog_import_runs_started_at_idx" ON "catalog_import_runs"("started_at");

-- AddForeignKey
ALTER TABLE "supplier_policy_windows" ADD CONSTRAINT "supplier_policy_windows_supplier_id_fkey" FOREIGN KEY ("supplier_id") REFERENCES "suppliers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "products" ADD CONSTRAINT "products_supplier_id_fkey" FOREIGN KEY ("supplier_id") REFERENCES "suppliers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_categories" ADD CONSTRAINT "product_categories_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_rates" ADD CONSTRAINT "product_rates_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_child_bands" ADD CONSTRAINT "product_child_bands_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_taxes" ADD CONSTRAINT "product_taxes_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tour_departures" ADD CONSTRAINT "tour_departures_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "allotment_contracts" ADD CONSTRAINT "allotment_contracts_supplier_id_fkey" FOREIGN KEY ("supplier_id") REFERENCES "suppliers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "allotment_contracts" ADD CONSTRAINT "allotment_contracts_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inventory" ADD CONSTRAINT "inventory_contract_id_fkey" FOREIGN KEY ("contract_id") REFERENCES "allotment_contracts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written: the database's own guarantee that inventory is never oversold. Application code
-- moves counters with atomic conditional UPDATEs; these constraints refuse any update that would
-- break the invariant, whatever code path issued it.
ALTER TABLE "inventory" ADD CONSTRAINT "inventory_counts_check"
  CHECK ("allotment" >= 0 AND "held" >= 0 AND "sold" >= 0 AND "released" >= 0
         AND "held" + "sold" + "released" <= "allotment");
ALTER TABLE "inventory_holds" ADD CONSTRAINT "inventory_holds_check"
  CHECK ("quantity" > 0 AND "stay_to" > "stay_from" AND "status" IN ('HELD', 'SOLD', 'EXPIRED', 'CANCELLED'));
ALTER TABLE "allotment_contracts" ADD CONSTRAINT "allotment_contracts_check"
  CHECK ("quantity" >= 0 AND "contracted_price" >= 0 AND "valid_to" >= "valid_from"
         AND "min_group_size" >= 1 AND "max_group_size" >= "min_group_size");
ALTER TABLE "product_rates" ADD CONSTRAINT "product_rates_check"
  CHECK ("amount" >= 0 AND "valid_to" >= "valid_from" AND "weekday_mask" BETWEEN 1 AND 127
         AND COALESCE("single_supplement", 0) >= 0 AND COALESCE("extra_night", 0) >= 0 AND COALESCE("sell_amount", 0) >= 0);
ALTER TABLE "allotment_releases" ADD CONSTRAINT "allotment_releases_check" CHECK ("quantity" >= 0);
