-- DropIndex
DROP INDEX "activation_outbox_processed_at_id_idx";

-- DropIndex
DROP INDEX "activation_outbox_workspace_id_entity_type_entity_id_idx";

-- CreateIndex
CREATE INDEX "activation_outbox_pending_idx" ON "activation_outbox"("id") WHERE (processed_at IS NULL);

-- CreateIndex
CREATE INDEX "activation_outbox_pending_entity_idx" ON "activation_outbox"("workspace_id", "entity_type", "entity_id") WHERE (processed_at IS NULL);
