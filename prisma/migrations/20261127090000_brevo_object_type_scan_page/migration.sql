-- AlterTable
ALTER TABLE "brevo_object_type_states" ADD COLUMN     "scan_page" INTEGER;
