-- CreateTable
CREATE TABLE "sources" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "data_center" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "token_ciphertext" TEXT,
    "mcp_url_ciphertext" TEXT,
    "mcp_url_redacted" TEXT,
    "mapping" JSONB NOT NULL,
    "mapping_version" INTEGER NOT NULL DEFAULT 1,
    "smoke_test_status" TEXT NOT NULL DEFAULT 'untested',
    "smoke_tested_at" TIMESTAMPTZ(3),
    "smoke_test_failure" JSONB,
    "backfill_enabled" BOOLEAN NOT NULL DEFAULT false,
    "hints_enabled" BOOLEAN NOT NULL DEFAULT false,
    "rate_limited_at" TIMESTAMPTZ(3),
    "rate_limit" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "source_hint_secrets" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "source_id" UUID NOT NULL,
    "secret_ciphertext" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "source_hint_secrets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_jobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "source_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "start_from" JSONB,
    "cursor" JSONB,
    "boundary" TIMESTAMPTZ(3),
    "pages" INTEGER NOT NULL DEFAULT 0,
    "records_seen" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "dead_lettered" INTEGER NOT NULL DEFAULT 0,
    "read_calls" INTEGER NOT NULL DEFAULT 0,
    "cursor_advanced_at" TIMESTAMPTZ(3),
    "stalled_since" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_error_category" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "source_records" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "source_id" UUID NOT NULL,
    "object_id" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "tajo_only" JSONB,
    "sync_job_id" UUID,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "source_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_hints" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "source_id" UUID NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "object_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "error" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "fetched_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_hints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_hint_rejections" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "source_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "webhook_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_hint_rejections_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sources_workspace_id_created_at_id_idx" ON "sources"("workspace_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "sources_workspace_id_name_key" ON "sources"("workspace_id", "name");

-- CreateIndex
CREATE INDEX "source_hint_secrets_source_id_created_at_idx" ON "source_hint_secrets"("source_id", "created_at");

-- CreateIndex
CREATE INDEX "sync_jobs_source_id_kind_started_at_idx" ON "sync_jobs"("source_id", "kind", "started_at");

-- CreateIndex
CREATE INDEX "source_records_source_id_received_at_idx" ON "source_records"("source_id", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "source_records_source_id_object_id_key" ON "source_records"("source_id", "object_id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_hints_source_id_webhook_id_key" ON "webhook_hints"("source_id", "webhook_id");

-- CreateIndex
CREATE INDEX "webhook_hint_rejections_source_id_created_at_idx" ON "webhook_hint_rejections"("source_id", "created_at");

-- AddForeignKey
ALTER TABLE "sources" ADD CONSTRAINT "sources_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "source_hint_secrets" ADD CONSTRAINT "source_hint_secrets_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_jobs" ADD CONSTRAINT "sync_jobs_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "source_records" ADD CONSTRAINT "source_records_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_hints" ADD CONSTRAINT "webhook_hints_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_hint_rejections" ADD CONSTRAINT "webhook_hint_rejections_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;
