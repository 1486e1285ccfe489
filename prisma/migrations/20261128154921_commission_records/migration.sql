-- CreateTable
CREATE TABLE "commission_records" (
    "id" UUID NOT NULL,
    "booking_ref" VARCHAR(32) NOT NULL,
    "supplier" VARCHAR(64) NOT NULL,
    "product_type" VARCHAR(32) NOT NULL,
    "channel" VARCHAR(16) NOT NULL,
    "sale_date" DATE NOT NULL,
    "sale_amount" DECIMAL(20,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "schedule_id" UUID,
    "tier_threshold" DECIMAL(20,4),
    "commission" DECIMAL(20,4) NOT NULL,
    "sub_agent_code" VARCHAR(64),
    "sub_agent_commission" DECIMAL(20,4),
    "entry_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "commission_records_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "commission_records_supplier_sale_date_idx" ON "commission_records"("supplier", "sale_date");

-- CreateIndex
CREATE UNIQUE INDEX "commission_records_booking_ref_supplier_product_type_key" ON "commission_records"("booking_ref", "supplier", "product_type");

ALTER TABLE "commission_records" ADD CONSTRAINT "commission_records_amounts" CHECK ("sale_amount" > 0 AND "commission" >= 0 AND ("sub_agent_commission" IS NULL OR "sub_agent_commission" >= 0));
