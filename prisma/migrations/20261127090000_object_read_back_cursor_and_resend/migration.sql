-- AlterTable
ALTER TABLE "activation_outbox" ADD COLUMN     "resend" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "brevo_object_type_states" ADD COLUMN     "scan_page" INTEGER;
