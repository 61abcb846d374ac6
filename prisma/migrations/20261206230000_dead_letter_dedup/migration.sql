-- AlterTable
ALTER TABLE "dead_letters" ADD COLUMN     "dedup_key" TEXT;

-- Letters written before deduplication get the key DeadLetterService gives new ones (DEDUP_KEY), so
-- the next repeat of an open one counts on it. Where open letters already say the same of the same
-- record, the newest takes the key (the index allows one) and the older ones stay as they are.
WITH keyed AS (
  SELECT id, status,
    row_number() OVER (PARTITION BY workspace_id, key, status = 'open' ORDER BY created_at DESC, id DESC) AS newest_first,
    key
  FROM (
    SELECT id, workspace_id, status, created_at,
      encode(sha256(convert_to(concat_ws(chr(31), entity_type,
        COALESCE(entity_id::text, COALESCE(request->>'sourceId', '') || ':' || COALESCE(source_object_id, '')),
        category, reason), 'UTF8')), 'hex') AS key
    FROM "dead_letters"
  ) AS letters
)
UPDATE "dead_letters" AS d SET "dedup_key" = keyed.key
FROM keyed
WHERE d.id = keyed.id AND (keyed.status <> 'open' OR keyed.newest_first = 1);

-- CreateIndex
CREATE UNIQUE INDEX "dead_letters_open_dedup_key" ON "dead_letters"("workspace_id", "dedup_key") WHERE (status = 'open');
