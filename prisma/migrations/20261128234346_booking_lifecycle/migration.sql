-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "BookingStatus" ADD VALUE 'HELD';
ALTER TYPE "BookingStatus" ADD VALUE 'CONFIRMED';
ALTER TYPE "BookingStatus" ADD VALUE 'PAID';
ALTER TYPE "BookingStatus" ADD VALUE 'TRAVELLING';
ALTER TYPE "BookingStatus" ADD VALUE 'COMPLETED';
ALTER TYPE "BookingStatus" ADD VALUE 'FAILED';

-- AlterTable
ALTER TABLE "bookings" ADD COLUMN     "balance_due" DECIMAL(18,4) NOT NULL DEFAULT 0,
ADD COLUMN     "channel" VARCHAR(16),
ADD COLUMN     "needs_manual_review" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "paid" DECIMAL(18,4) NOT NULL DEFAULT 0,
ADD COLUMN     "return_date" DATE,
ADD COLUMN     "snapshot" JSONB,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "supplier_service_orders" (
    "id" UUID NOT NULL,
    "reference" VARCHAR(160) NOT NULL,
    "booking_ref" VARCHAR(16) NOT NULL,
    "component_id" VARCHAR(64) NOT NULL,
    "supplier_code" VARCHAR(32) NOT NULL,
    "product_code" VARCHAR(64) NOT NULL,
    "service_start" DATE NOT NULL,
    "service_end" DATE NOT NULL,
    "quantity" INTEGER NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "confirmed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "supplier_service_orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_refunds" (
    "id" UUID NOT NULL,
    "idempotency_key" VARCHAR(200) NOT NULL,
    "booking_ref" VARCHAR(16) NOT NULL,
    "payment_id" VARCHAR(128),
    "amount" DECIMAL(18,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "reason" VARCHAR(32) NOT NULL,
    "provider_ref" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_refunds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "booking_notices" (
    "id" UUID NOT NULL,
    "idempotency_key" VARCHAR(200) NOT NULL,
    "booking_ref" VARCHAR(16) NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "recipient" VARCHAR(254) NOT NULL,
    "subject" VARCHAR(200) NOT NULL,
    "body" TEXT NOT NULL,
    "channel" VARCHAR(16) NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "booking_notices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "supplier_service_orders_reference_key" ON "supplier_service_orders"("reference");

-- CreateIndex
CREATE INDEX "supplier_service_orders_booking_ref_idx" ON "supplier_service_orders"("booking_ref");

-- CreateIndex
CREATE UNIQUE INDEX "payment_refunds_idempotency_key_key" ON "payment_refunds"("idempotency_key");

-- CreateIndex
CREATE INDEX "payment_refunds_booking_ref_idx" ON "payment_refunds"("booking_ref");

-- CreateIndex
CREATE UNIQUE INDEX "booking_notices_idempotency_key_key" ON "booking_notices"("idempotency_key");

-- CreateIndex
CREATE INDEX "booking_notices_booking_ref_idx" ON "booking_notices"("booking_ref");

-- CreateIndex
CREATE INDEX "bookings_advisor_id_idx" ON "bookings"("advisor_id");

-- CreateIndex
CREATE INDEX "bookings_travel_date_idx" ON "bookings"("travel_date");

