-- CreateEnum
CREATE TYPE "StaffRole" AS ENUM ('ADVISOR', 'FINANCE', 'OPERATIONS', 'MANAGEMENT', 'ADMIN');

-- CreateEnum
CREATE TYPE "OpsResourceKind" AS ENUM ('GUIDE', 'VEHICLE');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "role" "StaffRole" NOT NULL,
    "branch" VARCHAR(64),
    "advisor_id" VARCHAR(64),
    "grants" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "ip_allowlist" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "password_hash" VARCHAR(255) NOT NULL,
    "totp_secret" VARCHAR(512),
    "mfa_enabled" BOOLEAN NOT NULL DEFAULT false,
    "totp_last_step" BIGINT,
    "recovery_codes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "failed_logins" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "role_access_policies" (
    "role" "StaffRole" NOT NULL,
    "ip_allowlist" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "role_access_policies_pkey" PRIMARY KEY ("role")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "absolute_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "mfa_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoke_reason" VARCHAR(64),
    "ip" VARCHAR(64),
    "user_agent" VARCHAR(400),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refresh_tokens" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),

    CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" VARCHAR(32) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "secret_hash" CHAR(64) NOT NULL,
    "scopes" TEXT[],
    "ip_allowlist" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_by" VARCHAR(254),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "principal" VARCHAR(100) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "method" VARCHAR(8) NOT NULL,
    "path" VARCHAR(500) NOT NULL,
    "body_hash" CHAR(64) NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "response_status" INTEGER,
    "response_headers" JSONB,
    "response_body" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("principal","key")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_kind" VARCHAR(16) NOT NULL,
    "actor_id" VARCHAR(64),
    "actor_name" VARCHAR(254),
    "role" VARCHAR(16),
    "ip" VARCHAR(64),
    "request_id" VARCHAR(128),
    "method" VARCHAR(8) NOT NULL,
    "path" VARCHAR(500) NOT NULL,
    "action" VARCHAR(200) NOT NULL,
    "resource_type" VARCHAR(64),
    "resource_id" VARCHAR(200),
    "outcome" VARCHAR(16) NOT NULL,
    "status" INTEGER NOT NULL,
    "category" VARCHAR(16) NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "detail" VARCHAR(1000),

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ops_resources" (
    "id" UUID NOT NULL,
    "kind" "OpsResourceKind" NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "destination" VARCHAR(64) NOT NULL,
    "capacity" INTEGER,
    "languages" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "phone" VARCHAR(32),
    "active" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ops_resources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ops_assignments" (
    "id" UUID NOT NULL,
    "resource_id" UUID NOT NULL,
    "booking_ref" VARCHAR(16) NOT NULL,
    "component_id" VARCHAR(64) NOT NULL,
    "destination" VARCHAR(64) NOT NULL,
    "service_date" DATE NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "pax" INTEGER NOT NULL DEFAULT 1,
    "notes" VARCHAR(1000),
    "created_by" VARCHAR(254),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ops_assignments_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "users_advisor_id_key" ON "users"("advisor_id");

-- CreateIndex
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "refresh_tokens_session_id_idx" ON "refresh_tokens"("session_id");

-- CreateIndex
CREATE INDEX "idempotency_records_expires_at_idx" ON "idempotency_records"("expires_at");

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");

-- CreateIndex
CREATE INDEX "audit_events_actor_id_at_idx" ON "audit_events"("actor_id", "at");

-- CreateIndex
CREATE INDEX "audit_events_resource_type_resource_id_idx" ON "audit_events"("resource_type", "resource_id");

-- CreateIndex
CREATE INDEX "audit_events_category_at_idx" ON "audit_events"("category", "at");

-- CreateIndex
CREATE INDEX "ops_resources_destination_kind_idx" ON "ops_resources"("destination", "kind");

-- CreateIndex
CREATE INDEX "ops_assignments_resource_id_starts_at_idx" ON "ops_assignments"("resource_id", "starts_at");

-- CreateIndex
CREATE INDEX "ops_assignments_service_date_destination_idx" ON "ops_assignments"("service_date", "destination");

-- CreateIndex
CREATE UNIQUE INDEX "ops_assignments_resource_id_booking_ref_component_id_key" ON "ops_assignments"("resource_id", "booking_ref", "component_id");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ops_assignments" ADD CONSTRAINT "ops_assignments_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "ops_resources"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

