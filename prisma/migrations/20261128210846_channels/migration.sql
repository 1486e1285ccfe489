-- CreateTable
CREATE TABLE "channel_managers" (
    "code" VARCHAR(48) NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "webhook_secret" TEXT,
    "wsse_username" VARCHAR(120),
    "wsse_password" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_managers_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "channel_connections" (
    "code" VARCHAR(48) NOT NULL,
    "channel_manager_code" VARCHAR(48) NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "ota_code" VARCHAR(32) NOT NULL,
    "endpoint" VARCHAR(500) NOT NULL,
    "auth_kind" VARCHAR(8) NOT NULL DEFAULT 'none',
    "username" VARCHAR(120),
    "password" TEXT,
    "requests_per_second" INTEGER NOT NULL DEFAULT 5,
    "properties" TEXT[] DEFAULT ARRAY['*']::TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_connections_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "channel_properties" (
    "hotel_code" VARCHAR(48) NOT NULL,
    "product_id" UUID NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_properties_pkey" PRIMARY KEY ("hotel_code")
);

-- CreateTable
CREATE TABLE "channel_webhook_messages" (
    "channel_manager_code" VARCHAR(48) NOT NULL,
    "message_id" VARCHAR(128) NOT NULL,
    "body_sha256" CHAR(64) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_webhook_messages_pkey" PRIMARY KEY ("channel_manager_code","message_id")
);

-- CreateTable
CREATE TABLE "channel_notifications" (
    "id" UUID NOT NULL,
    "channel_manager_code" VARCHAR(48) NOT NULL,
    "reservation_id" VARCHAR(64) NOT NULL,
    "version" BIGINT NOT NULL,
    "res_status" VARCHAR(12) NOT NULL,
    "status_word" VARCHAR(32) NOT NULL,
    "originating_channel" VARCHAR(64) NOT NULL,
    "hotel_code" VARCHAR(48) NOT NULL,
    "echo_token" VARCHAR(128),
    "message_id" VARCHAR(128),
    "payload" JSONB NOT NULL,
    "raw" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    "outcome" VARCHAR(12),
    "outcome_detail" TEXT,

    CONSTRAINT "channel_notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "channel_reservations" (
    "channel_manager_code" VARCHAR(48) NOT NULL,
    "reservation_id" VARCHAR(64) NOT NULL,
    "hotel_code" VARCHAR(48) NOT NULL,
    "originating_channel" VARCHAR(64) NOT NULL,
    "status" VARCHAR(12) NOT NULL,
    "applied_version" BIGINT NOT NULL,
    "hold_references" TEXT[],
    "total" DECIMAL(18,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "guest_name" VARCHAR(200) NOT NULL,
    "arrival" DATE NOT NULL,
    "departure" DATE NOT NULL,
    "detail" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_reservations_pkey" PRIMARY KEY ("channel_manager_code","reservation_id")
);

-- CreateTable
CREATE TABLE "channel_sync_states" (
    "connection_code" VARCHAR(48) NOT NULL,
    "hotel_code" VARCHAR(48) NOT NULL,
    "room_type" VARCHAR(32) NOT NULL,
    "stay_date" DATE NOT NULL,
    "pushed_count" INTEGER NOT NULL,
    "pushed_stop_sell" BOOLEAN NOT NULL DEFAULT false,
    "pushed_version" BIGINT NOT NULL,
    "acked_at" TIMESTAMPTZ(3) NOT NULL,
    "last_error" TEXT,

    CONSTRAINT "channel_sync_states_pkey" PRIMARY KEY ("connection_code","hotel_code","room_type","stay_date")
);

-- CreateTable
CREATE TABLE "channel_rates" (
    "hotel_code" VARCHAR(48) NOT NULL,
    "room_type" VARCHAR(32) NOT NULL,
    "rate_plan" VARCHAR(32) NOT NULL,
    "stay_date" DATE NOT NULL,
    "guests" INTEGER NOT NULL,
    "amount" DECIMAL(18,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "operation_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_rates_pkey" PRIMARY KEY ("hotel_code","room_type","rate_plan","stay_date","guests")
);

-- CreateTable
CREATE TABLE "channel_rate_acks" (
    "connection_code" VARCHAR(48) NOT NULL,
    "hotel_code" VARCHAR(48) NOT NULL,
    "room_type" VARCHAR(32) NOT NULL,
    "rate_plan" VARCHAR(32) NOT NULL,
    "stay_date" DATE NOT NULL,
    "guests" INTEGER NOT NULL,
    "amount" DECIMAL(18,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "operation_id" UUID NOT NULL,
    "acked_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "channel_rate_acks_pkey" PRIMARY KEY ("connection_code","hotel_code","room_type","rate_plan","stay_date","guests")
);

-- CreateTable
CREATE TABLE "channel_rate_operations" (
    "id" UUID NOT NULL,
    "hotel_code" VARCHAR(48) NOT NULL,
    "room_type" VARCHAR(32) NOT NULL,
    "rate_plan" VARCHAR(32) NOT NULL,
    "date_from" DATE NOT NULL,
    "date_to" DATE NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "amounts" JSONB NOT NULL,
    "status" VARCHAR(12) NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "channel_rate_operations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "channel_reconciliation_runs" (
    "id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "checked" INTEGER NOT NULL DEFAULT 0,
    "repaired" INTEGER NOT NULL DEFAULT 0,
    "report" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "channel_reconciliation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "channel_properties_product_id_key" ON "channel_properties"("product_id");

-- CreateIndex
CREATE INDEX "channel_webhook_messages_received_at_idx" ON "channel_webhook_messages"("received_at");

-- CreateIndex
CREATE INDEX "channel_notifications_processed_at_idx" ON "channel_notifications"("processed_at");

-- CreateIndex
CREATE UNIQUE INDEX "channel_notifications_channel_manager_code_reservation_id_v_key" ON "channel_notifications"("channel_manager_code", "reservation_id", "version");

-- CreateIndex
CREATE INDEX "channel_reservations_hotel_code_arrival_idx" ON "channel_reservations"("hotel_code", "arrival");

-- CreateIndex
CREATE INDEX "channel_rate_operations_hotel_code_created_at_idx" ON "channel_rate_operations"("hotel_code", "created_at");

-- CreateIndex
CREATE INDEX "channel_reconciliation_runs_started_at_idx" ON "channel_reconciliation_runs"("started_at");

-- AddForeignKey
ALTER TABLE "channel_connections" ADD CONSTRAINT "channel_connections_channel_manager_code_fkey" FOREIGN KEY ("channel_manager_code") REFERENCES "channel_managers"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

