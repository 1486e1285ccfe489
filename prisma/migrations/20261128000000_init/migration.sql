-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "BookingStatus" AS ENUM ('DRAFT', 'EXPIRED', 'CANCELLED');

-- CreateTable
CREATE TABLE "bookings" (
    "id" UUID NOT NULL,
    "reference" VARCHAR(16) NOT NULL,
    "workflow_id" VARCHAR(64) NOT NULL,
    "customer_id" VARCHAR(64) NOT NULL,
    "advisor_id" VARCHAR(64),
    "product_code" VARCHAR(64) NOT NULL,
    "travel_date" DATE NOT NULL,
    "amount" DECIMAL(18,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" "BookingStatus" NOT NULL DEFAULT 'DRAFT',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "bookings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "bookings_reference_key" ON "bookings"("reference");

-- CreateIndex
CREATE UNIQUE INDEX "bookings_workflow_id_key" ON "bookings"("workflow_id");

-- CreateIndex
CREATE INDEX "bookings_customer_id_idx" ON "bookings"("customer_id");

-- CreateIndex
CREATE INDEX "bookings_status_travel_date_idx" ON "bookings"("status", "travel_date");


-- Hand-written: the database refuses what the application would never write.
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_amount_non_negative" CHECK ("amount" >= 0);
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_currency_iso4217" CHECK ("currency" ~ '^[A-Z]{3}$');
