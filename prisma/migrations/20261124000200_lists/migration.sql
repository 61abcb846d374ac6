-- CreateTable
CREATE TABLE "lists" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lists_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "list_memberships" (
    "list_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "list_memberships_pkey" PRIMARY KEY ("list_id","contact_id")
);

-- CreateTable
CREATE TABLE "brevo_list_states" (
    "list_id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "brevo_list_id" INTEGER,
    "brevo_name" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brevo_list_states_pkey" PRIMARY KEY ("list_id")
);

-- CreateTable
CREATE TABLE "brevo_list_members" (
    "list_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "ext_id" TEXT NOT NULL,

    CONSTRAINT "brevo_list_members_pkey" PRIMARY KEY ("list_id","contact_id")
);

-- CreateTable
CREATE TABLE "brevo_catalog_entries" (
    "account_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "brevo_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brevo_catalog_entries_pkey" PRIMARY KEY ("account_key","kind","name")
);

-- CreateIndex
CREATE INDEX "lists_workspace_id_updated_at_id_idx" ON "lists"("workspace_id", "updated_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "lists_workspace_id_name_key" ON "lists"("workspace_id", "name");

-- CreateIndex
CREATE INDEX "list_memberships_contact_id_idx" ON "list_memberships"("contact_id");

-- CreateIndex
CREATE INDEX "brevo_list_states_workspace_id_idx" ON "brevo_list_states"("workspace_id");

-- CreateIndex
CREATE INDEX "brevo_list_members_contact_id_idx" ON "brevo_list_members"("contact_id");

-- AddForeignKey
ALTER TABLE "lists" ADD CONSTRAINT "lists_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "list_memberships" ADD CONSTRAINT "list_memberships_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "lists"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "list_memberships" ADD CONSTRAINT "list_memberships_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
