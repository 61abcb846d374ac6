-- CreateTable
CREATE TABLE "brevo_object_states" (
    "record_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "activated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brevo_object_states_pkey" PRIMARY KEY ("record_id")
);

-- CreateTable
CREATE TABLE "brevo_object_association_states" (
    "association_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "activated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brevo_object_association_states_pkey" PRIMARY KEY ("association_id")
);

-- CreateTable
CREATE TABLE "brevo_object_type_states" (
    "object_type_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "checked_attributes" TEXT[],
    "unknown_attributes" TEXT[],
    "checked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brevo_object_type_states_pkey" PRIMARY KEY ("object_type_id")
);

-- CreateIndex
CREATE INDEX "brevo_object_states_workspace_id_idx" ON "brevo_object_states"("workspace_id");

-- CreateIndex
CREATE INDEX "brevo_object_association_states_workspace_id_idx" ON "brevo_object_association_states"("workspace_id");

-- CreateIndex
CREATE INDEX "brevo_object_type_states_workspace_id_idx" ON "brevo_object_type_states"("workspace_id");
