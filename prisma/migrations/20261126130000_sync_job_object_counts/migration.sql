-- AlterTable
ALTER TABLE "sync_jobs" ADD COLUMN     "objects_created" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "objects_unchanged" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "objects_updated" INTEGER NOT NULL DEFAULT 0;
