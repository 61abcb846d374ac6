/**
 * The shape of activation work, shared by the outbox relay, the workers and each kind of record's
 * activator (contacts, events, lists...). An outbox row becomes one item of one job.
 */

/** An outbox row as the relay reads it (pg's column names). */
export interface OutboxRow {
  id: string;
  workspace_id: string;
  entity_type: string;
  entity_id: string;
  operation: string;
  entity_version: number;
  external_id: string | null;
  /** Activation queued again for an unchanged record: nothing to announce to webhook subscribers. */
  replay: boolean;
  /** Sent whatever the state says: Brevo may hold an older version (see requeueChangedSince). */
  resend: boolean;
  created_at: Date;
}

/** One unit of activation work, as the outbox recorded it. */
export interface ActivationItem {
  /** The Tajo row the work is about; a later row for the same entity replaces an earlier one. */
  entityId: string;
  /** What to do, in the entity type's own words (contacts: upsert | delete | erase). */
  operation: string;
  /** Carried for work whose row is gone when it runs (a contact's erasure). */
  externalId?: string | null;
  /** Send the current version even if the state says Brevo has it: an older one may have landed last. */
  resend?: boolean;
}

/** Items of one entity type for one workspace: the unit a worker carries out. */
export interface ActivationJob {
  workspaceId: string;
  entityType: string;
  items: ActivationItem[];
  /** When the oldest of its items was written to the outbox (ISO): how long the work has waited, across deferrals. */
  queuedAt?: string;
}

export interface ActivationReport {
  activated: number;
  deleted: number;
  skipped: number;
  deadLettered: number;
}

/** Which run of a job this is: pg-boss keeps a job's ID across its retries. */
export interface JobRun {
  jobId: string;
  /** How many times pg-boss has retried the job (absent or 0: its first run). */
  retryCount?: number;
  /**
   * Takes in the items of the jobs of its group waiting now, when at least `minItems` wait, up to
   * `maxItems` more: they join this job's own row, and are retried with it.
   */
  takeMore?(minItems: number, maxItems: number): Promise<ActivationItem[]>;
}

/** Carries out one entity type's jobs. Must be safe to run twice: a job may be retried after a crash. */
export interface EntityActivator {
  run(job: ActivationJob, run?: JobRun): Promise<ActivationReport>;
}

export const emptyReport = (): ActivationReport => ({ activated: 0, deleted: 0, skipped: 0, deadLettered: 0 });

/** A job whose every item was skipped (its workspace has no Brevo account to send to). */
export const skippedReport = (job: ActivationJob): ActivationReport => ({ ...emptyReport(), skipped: job.items.length });
