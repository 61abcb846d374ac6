-- AlterTable
ALTER TABLE "brevo_list_states" ADD COLUMN     "waiting_for_contacts" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "campaign_drafts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "list_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "sender_name" TEXT,
    "sender_email" TEXT NOT NULL,
    "template_id" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "brevo_campaign_id" INTEGER,
    "attempted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "campaign_drafts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "campaign_drafts_workspace_id_created_at_id_idx" ON "campaign_drafts"("workspace_id", "created_at", "id");

-- AddForeignKey
ALTER TABLE "campaign_drafts" ADD CONSTRAINT "campaign_drafts_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
