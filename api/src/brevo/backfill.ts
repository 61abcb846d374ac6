import type { Db } from '../db/client.ts';

export class BrevoBackfill {
  constructor(private readonly db: Db) {}

  /**
   * Queues the activation of every live contact Brevo does not have at its current version, in
   * one statement: the workers send them as imports. Contacts Brevo already has are left out, so
   * running it again (after a reconnect, say) sends only what is missing.
   */
  async queueContacts(workspaceId: string): Promise<number> {
    const { rowCount } = await this.db.sql.query(
    `INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version)
     SELECT c.workspace_id, 'contact', c.id, 'upsert', c.version FROM contacts c
     LEFT JOIN brevo_contact_states s ON s.contact_id = c.id
     WHERE c.workspace_id = $1 AND c.deleted_at IS NULL AND (s.contact_id IS NULL OR s.version < c.version)
       -- Already on its way: queued by a write that the relay has not picked up yet.
       AND NOT EXISTS (SELECT 1 FROM activation_outbox o WHERE o.workspace_id = c.workspace_id AND o.entity_type = 'contact' AND o.entity_id = c.id AND o.processed_at IS NULL)
     ORDER BY c.created_at, c.id`,
      [workspaceId],
    );
    return rowCount ?? 0;
  }
}
