-- CreateTable
CREATE TABLE "token_refresh_failures" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" UUID,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "token_refresh_failures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "token_refresh_failures_created_at_idx" ON "token_refresh_failures"("created_at");
