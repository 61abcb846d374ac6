-- AlterTable
ALTER TABLE "contacts" ADD COLUMN     "field_times" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "dead_letters" ADD COLUMN     "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "occurrences" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "object_records" ADD COLUMN     "field_times" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "sync_jobs" ADD COLUMN     "objects_stale" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "stale" INTEGER NOT NULL DEFAULT 0;

-- Values stored before per-field ordering count as written at their record's source time (or its last write),
-- and a consent channel at its own timestamp: older data arriving after the upgrade does not replace them.
UPDATE "contacts" AS c SET "field_times" = COALESCE((
  SELECT jsonb_object_agg(held.field, COALESCE(held.at, t.at))
  FROM (SELECT to_char(COALESCE(c.source_updated_at, c.updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at) t,
  LATERAL (
    SELECT v.field, NULL::text AS at FROM (VALUES
      ('email', c.email IS NOT NULL), ('phone', c.phone IS NOT NULL), ('firstName', c.first_name IS NOT NULL),
      ('lastName', c.last_name IS NOT NULL), ('locale', c.locale IS NOT NULL),
      ('lifetimeValue', c.lifetime_value_minor IS NOT NULL), ('sourceCreatedAt', c.source_created_at IS NOT NULL)
    ) AS v(field, present) WHERE v.present
    UNION ALL SELECT 'attributes.' || a.key, NULL FROM jsonb_object_keys(c.attributes) AS a(key)
    UNION ALL SELECT 'consent.' || k.key, c.consent -> k.key ->> 'timestamp' FROM jsonb_object_keys(c.consent) AS k(key)
  ) AS held
), '{}');

UPDATE "object_records" AS r SET "field_times" = COALESCE((
  SELECT jsonb_object_agg('attributes.' || a.key, to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
  FROM jsonb_object_keys(r.attributes) AS a(key)
), '{}');

UPDATE "dead_letters" SET "last_seen_at" = "created_at";
