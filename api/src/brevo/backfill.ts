import type { Db } from '../db/client.ts';
import { LIST_ENTITY, LIST_MEMBERSHIP_ENTITY } from '../lists/service.ts';
import { OBJECT_ASSOCIATION_ENTITY, OBJECT_RECORD_ENTITY } from '../objects/service.ts';

export class BrevoBackfill {
  constructor(private readonly db: Db) {}

  /**
   * Queues the activation of every live contact Brevo does not have at its current version, in
   * one statement: the workers send them as imports. Contacts Brevo already has are left out, so
   * running it again (after a reconnect, say) sends only what is missing. No contact changed, so
   * the rows are replays: webhook subscribers hear nothing of them.
   */
  async queueContacts(workspaceId: string): Promise<number> {
    const { rowCount } = await this.db.sql.query(
    `INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version, replay)
     SELECT c.workspace_id, 'contact', c.id, 'upsert', c.version, true FROM contacts c
     LEFT JOIN brevo_contact_states s ON s.contact_id = c.id
     WHERE c.workspace_id = $1 AND c.deleted_at IS NULL AND (s.contact_id IS NULL OR s.version < c.version)
       -- Already on its way: queued by a write the relay has not picked up yet. (NOT IN over the few
       -- pending rows hashes them; a NOT EXISTS was planned as a scan per contact on fresh tables.)
       AND c.id NOT IN (SELECT o.entity_id FROM activation_outbox o WHERE o.processed_at IS NULL AND o.workspace_id = $1 AND o.entity_type = 'contact')
     ORDER BY c.created_at, c.id`,
      [workspaceId],
    );
    return rowCount ?? 0;
  }

  /**
   * Queues every live object record, then every live association, Brevo does not have at its
   * current version (records first: an association goes once both its ends are there). Answers the
   * number of rows queued. Replays, like the contacts' backfill: subscribers hear nothing of them.
   */
  async queueObjects(workspaceId: string): Promise<number> {
    const { rowCount: records } = await this.db.sql.query(
      `INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version, replay)
       SELECT r.workspace_id, $2, r.id, 'upsert', r.version, true FROM object_records r
       LEFT JOIN brevo_object_states s ON s.record_id = r.id
       WHERE r.workspace_id = $1 AND r.deleted_at IS NULL AND (s.record_id IS NULL OR s.version < r.version)
         AND r.id NOT IN (SELECT o.entity_id FROM activation_outbox o WHERE o.processed_at IS NULL AND o.workspace_id = $1 AND o.entity_type = $2)
       ORDER BY r.created_at, r.id`,
      [workspaceId, OBJECT_RECORD_ENTITY],
    );
    const { rowCount: associations } = await this.db.sql.query(
      `INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version, replay)
       SELECT a.workspace_id, $2, a.id, 'upsert', a.version, true FROM object_associations a
       JOIN object_records r ON r.id = a.record_id AND r.deleted_at IS NULL
       LEFT JOIN brevo_object_association_states s ON s.association_id = a.id
       WHERE a.workspace_id = $1 AND a.deleted_at IS NULL AND (s.association_id IS NULL OR s.version < a.version)
         AND a.id NOT IN (SELECT o.entity_id FROM activation_outbox o WHERE o.processed_at IS NULL AND o.workspace_id = $1 AND o.entity_type = $2)
       ORDER BY a.created_at, a.id`,
      [workspaceId, OBJECT_ASSOCIATION_ENTITY],
    );
    return (records ?? 0) + (associations ?? 0);
  }

  /** What Tajo learned of a Brevo object type by reading back records it sent (null: nothing yet). */
  objectTypeState(objectTypeId: string) {
    return this.db.brevoObjectTypeState.findUnique({ where: { objectTypeId } });
  }

  /**
   * Where the workspace's live contacts stand with Brevo: how many Brevo has confirmed at their
   * current version, and how many it refused (an open dead letter); the rest are on their way.
   */
  async contactStatus(workspaceId: string): Promise<{ contacts: number; inBrevo: number; refused: number; pending: number }> {
    const { rows } = await this.db.sql.query<{ contacts: number; in_brevo: number; refused: number }>(
      `SELECT count(*)::int AS contacts,
              count(*) FILTER (WHERE s.version >= c.version)::int AS in_brevo,
              count(*) FILTER (WHERE (s.contact_id IS NULL OR s.version < c.version) AND EXISTS (
                SELECT 1 FROM dead_letters d
                WHERE d.workspace_id = c.workspace_id AND d.entity_type = 'contact' AND d.entity_id = c.id AND d.status = 'open'))::int AS refused
       FROM contacts c LEFT JOIN brevo_contact_states s ON s.contact_id = c.id
       WHERE c.workspace_id = $1 AND c.deleted_at IS NULL`,
      [workspaceId],
    );
    const { contacts, in_brevo: inBrevo, refused } = rows[0]!;
    return { contacts, inBrevo, refused, pending: contacts - inBrevo - refused };
  }

  /**
   * Queues every list of the workspace, and its membership sync, for activation: lists Brevo has
   * are found by name rather than made again, and a sync sends only what Brevo lacks. Answers the
   * number of lists.
   */
  async queueLists(workspaceId: string): Promise<number> {
    const { rowCount } = await this.db.sql.query(
      `INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version)
       SELECT l.workspace_id, kind.entity_type, l.id, kind.operation, l.version FROM lists l
       CROSS JOIN (VALUES (1, $2, 'upsert'), (2, $3, 'sync')) AS kind(step, entity_type, operation)
       WHERE l.workspace_id = $1
       ORDER BY kind.step, l.created_at, l.id`,
      [workspaceId, LIST_ENTITY, LIST_MEMBERSHIP_ENTITY],
    );
    return (rowCount ?? 0) / 2;
  }
}
