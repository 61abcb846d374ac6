-- CreateTable
CREATE TABLE "object_types" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "brevo_object_type" TEXT NOT NULL,
    "attributes" JSONB NOT NULL,
    "external_id_rule" JSONB NOT NULL,
    "associations" TEXT[],
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "object_types_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "object_records" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "object_type_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "content_hash" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "object_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "object_record_versions" (
    "id" BIGSERIAL NOT NULL,
    "record_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "payload" JSONB NOT NULL,
    "normalized" JSONB NOT NULL,
    "request_id" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "object_record_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "object_associations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "record_id" UUID NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_external_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "object_associations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "object_types_workspace_id_updated_at_id_idx" ON "object_types"("workspace_id", "updated_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "object_types_workspace_id_name_key" ON "object_types"("workspace_id", "name");

-- CreateIndex
CREATE INDEX "object_records_workspace_id_object_type_id_updated_at_id_idx" ON "object_records"("workspace_id", "object_type_id", "updated_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "object_records_object_type_id_external_id_key" ON "object_records"("object_type_id", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "object_record_versions_record_id_version_key" ON "object_record_versions"("record_id", "version");

-- CreateIndex
CREATE INDEX "object_associations_workspace_id_target_type_target_externa_idx" ON "object_associations"("workspace_id", "target_type", "target_external_id");

-- CreateIndex
CREATE UNIQUE INDEX "object_associations_record_id_target_type_target_external_i_key" ON "object_associations"("record_id", "target_type", "target_external_id");

-- AddForeignKey
ALTER TABLE "object_types" ADD CONSTRAINT "object_types_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "object_records" ADD CONSTRAINT "object_records_object_type_id_fkey" FOREIGN KEY ("object_type_id") REFERENCES "object_types"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "object_record_versions" ADD CONSTRAINT "object_record_versions_record_id_fkey" FOREIGN KEY ("record_id") REFERENCES "object_records"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "object_associations" ADD CONSTRAINT "object_associations_record_id_fkey" FOREIGN KEY ("record_id") REFERENCES "object_records"("id") ON DELETE CASCADE ON UPDATE CASCADE;
