-- CreateTable
CREATE TABLE "brevo_connections" (
    "workspace_id" UUID NOT NULL,
    "api_key_ciphertext" TEXT NOT NULL,
    "api_key_hint" TEXT NOT NULL,
    "base_url" TEXT NOT NULL,
    "limits" JSONB,
    "account_email" TEXT,
    "verified_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brevo_connections_pkey" PRIMARY KEY ("workspace_id")
);

-- CreateTable
CREATE TABLE "brevo_contact_states" (
    "contact_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "email" TEXT,
    "activated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brevo_contact_states_pkey" PRIMARY KEY ("contact_id")
);

-- CreateTable
CREATE TABLE "dead_letters" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" UUID,
    "source_object_id" TEXT,
    "sync_job_id" TEXT,
    "category" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "response" JSONB,
    "status" TEXT NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "brevo_contact_states_workspace_id_idx" ON "brevo_contact_states"("workspace_id");

-- CreateIndex
CREATE INDEX "dead_letters_workspace_id_created_at_id_idx" ON "dead_letters"("workspace_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "dead_letters_workspace_id_entity_type_entity_id_idx" ON "dead_letters"("workspace_id", "entity_type", "entity_id");

-- AddForeignKey
ALTER TABLE "brevo_connections" ADD CONSTRAINT "brevo_connections_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
