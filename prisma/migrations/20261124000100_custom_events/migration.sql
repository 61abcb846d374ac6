-- CreateTable
CREATE TABLE "events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "contact_external_id" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "properties" JSONB NOT NULL DEFAULT '{}',
    "contact_properties" JSONB NOT NULL DEFAULT '{}',
    "content_hash" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "brevo_event_states" (
    "event_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "claimed_by" TEXT,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settled_at" TIMESTAMPTZ(3),

    CONSTRAINT "brevo_event_states_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE INDEX "events_workspace_id_occurred_at_id_idx" ON "events"("workspace_id", "occurred_at", "id");

-- CreateIndex
CREATE INDEX "events_workspace_id_contact_external_id_idx" ON "events"("workspace_id", "contact_external_id");

-- CreateIndex
CREATE INDEX "events_workspace_id_email_idx" ON "events"("workspace_id", "email");

-- CreateIndex
CREATE UNIQUE INDEX "events_workspace_id_event_id_key" ON "events"("workspace_id", "event_id");

-- CreateIndex
CREATE INDEX "brevo_event_states_workspace_id_idx" ON "brevo_event_states"("workspace_id");

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
