-- AlterTable
ALTER TABLE "channel_reservations" ADD COLUMN     "advisor_id" VARCHAR(64),
ADD COLUMN     "customer_id" VARCHAR(64);

-- CreateIndex
CREATE INDEX "channel_reservations_customer_id_idx" ON "channel_reservations"("customer_id");

