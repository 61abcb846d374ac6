import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { Event as EventRow } from '../generated/prisma/client.ts';
import type { DeadLetterCategory, DeadLetterService, NewDeadLetter } from '../dead-letters/service.ts';
import type { BrevoAccounts } from '../brevo/accounts.ts';
import { BrevoRequestFailed, MAX_EVENT_BATCH_BYTES, MAX_EVENTS_PER_BATCH, type AttemptWatch, type BrevoApi, type BrevoEvent } from '../brevo/client.ts';
import { EVENT_ENTITY } from './service.ts';
import { emptyReport, skippedReport, type ActivationJob, type ActivationReport, type EntityActivator, type JobRun } from '../jobs/activation.ts';

/**
 * Where an event stands with Brevo (brevo_event_states.status). Brevo's events API has no
 * idempotency key, so the activator records each step: `claimed` (this run will send it, nothing is
 * in flight), `sending` (an attempt is in flight: Brevo may carry it out), then `accepted`,
 * `rejected` (dead-lettered) or `in_doubt` (its run died mid-request: dead-lettered, not re-sent).
 */
type EventState = 'claimed' | 'sending' | 'accepted' | 'rejected' | 'in_doubt';

/**
 * A claim of another job untouched for this long belongs to a run that died (a live run touches
 * its claims at every attempt; the client's backoff is at most 30 s). Claims of the job itself
 * are taken over at once by its retry, which pg-boss starts only once the job's last run is over
 * (failed, or its worker stopped heart-beating).
 */
export const DEFAULT_CLAIM_LEASE_MS = 2 * 60_000;

const IN_DOUBT_REASON =
  "in doubt: this event was in flight to Brevo when the attempt ended without an answer (a worker stopped, a timeout, a dropped connection), so Brevo may or may not have recorded it. Brevo's API offers no way to read custom events back and takes no idempotency key for them, so Tajo cannot check and does not re-send it on its own. Retrying sends it again: if Brevo had recorded it, the contact then has it twice, and automations it starts may run twice. Look at the contact's activity in Brevo's app, then retry this letter if the event is missing, or discard it if it is there.";

/** The Brevo request for an event. */
export function brevoEvent(row: EventRow): BrevoEvent {
  const identifiers: BrevoEvent['identifiers'] = {};
  if (row.contactExternalId !== null) identifiers.ext_id = row.contactExternalId;
  if (row.email !== null) identifiers.email_id = row.email;
  if (row.phone !== null) identifiers.phone_id = row.phone;
  const event: BrevoEvent = { event_name: row.name, event_date: row.occurredAt.toISOString(), identifiers };
  const properties = row.properties as NonNullable<BrevoEvent['event_properties']>;
  const contactProperties = row.contactProperties as NonNullable<BrevoEvent['contact_properties']>;
  if (Object.keys(properties).length > 0) event.event_properties = properties;
  if (Object.keys(contactProperties).length > 0) event.contact_properties = contactProperties;
  return event;
}

/** Splits events into requests within Brevo's batch limits (count and body size), keeping their order. */
export function batchesOf<T>(items: T[], size: (item: T) => number, maxCount = MAX_EVENTS_PER_BATCH, maxBytes = MAX_EVENT_BATCH_BYTES): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const itemBytes = size(item) + 1;
    if (current.length > 0 && (current.length >= maxCount || bytes + itemBytes > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += itemBytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

interface ToSend {
  row: EventRow;
  request: BrevoEvent;
}

/**
 * Sends a job's events to Brevo, as batch requests where there are several. Safe to run twice:
 * an event is claimed before it is sent and settled right after Brevo's answer, so a re-run job or
 * a retried dead letter never sends an accepted event again.
 */
export class EventActivator implements EntityActivator {
  constructor(
    private readonly db: Db,
    private readonly accounts: BrevoAccounts,
    private readonly deadLetters: DeadLetterService,
    private readonly log: Logger,
    private readonly claimLeaseMs = DEFAULT_CLAIM_LEASE_MS,
  ) {}

  async run(job: ActivationJob, run?: JobRun): Promise<ActivationReport> {
    const account = await this.accounts.forWorkspace(job.workspaceId);
    // Nothing to send to; events are not replayed on connection (a late event could start automations out of time).
    if (!account) return skippedReport(job);
    const report = emptyReport();
    const ids = [...new Set(job.items.map((item) => item.entityId))];
    // A retry of the job that made a claim takes it over at once: pg-boss retries a job only once its last run is over.
    const jobId = run?.jobId ?? null;
    const inDoubt = await this.#takeInDoubt(job.workspaceId, ids, jobId);
    if (inDoubt > 0) this.log.warn({ workspaceId: job.workspaceId, category: 'vendor_unavailable', events: inDoubt }, 'events in doubt after a worker stopped mid-request: dead-lettered, not re-sent');
    report.deadLettered += inDoubt;
    const claimed = await this.#claim(job.workspaceId, ids, jobId);
    const toSend = claimed.map((row) => ({ row, request: brevoEvent(row) }));
    try {
      for (const batch of batchesOf(toSend, (item) => JSON.stringify(item.request).length)) {
        const { accepted, refused } = await this.#send(account.api, job.workspaceId, batch);
        report.activated += accepted;
        report.deadLettered += refused;
      }
    } catch (error) {
      // Claims not yet in flight go back, so the job's retry sends them at once rather than after the lease.
      await this.db.brevoEventState.deleteMany({ where: { eventId: { in: claimed.map((row) => row.id) }, status: 'claimed' } });
      throw error;
    }
    const held = await this.db.brevoEventState.count({ where: { eventId: { in: ids }, status: { in: ['claimed', 'sending'] } } });
    // Another run holds these, or one that died recently: fail so the job comes back once it is done or its lease is over.
    if (held > 0) throw new Error(`${held} event(s) of this job are held by another activation run; retrying later`);
    report.skipped = ids.length - inDoubt - claimed.length;
    return report;
  }

  /** Sends one request's worth of events and settles each; resolves with how many Brevo accepted and refused. */
  async #send(api: BrevoApi, workspaceId: string, batch: ToSend[]): Promise<{ accepted: number; refused: number }> {
    const ids = batch.map((item) => item.row.id);
    const watch: AttemptWatch = { sending: () => this.#mark(ids, 'sending'), notCarriedOut: () => this.#mark(ids, 'claimed') };
    const operation = batch.length === 1 ? 'trackEvent' : 'trackEvents';
    let refusals: { index: number; reason: string; answer: unknown }[];
    try {
      refusals = batch.length === 1 ? await api.trackEvent(batch[0]!.request, watch).then(() => []) : await api.trackEvents(batch.map((item) => item.request), watch);
    } catch (error) {
      if (!(error instanceof BrevoRequestFailed)) throw error;
      // A batch refused as a whole recorded nothing: each event on its own finds the one(s) at fault.
      if (batch.length > 1 && (error.category === 'validation' || error.category === 'mapping')) {
        const outcomes = [];
        for (const item of batch) outcomes.push(await this.#send(api, workspaceId, [item]));
        return { accepted: outcomes.reduce((sum, o) => sum + o.accepted, 0), refused: outcomes.reduce((sum, o) => sum + o.refused, 0) };
      }
      const answer = error.details.response ?? { status: error.details.status ?? null, attempts: error.details.attempts };
      const category = error.category === 'not_found' ? 'validation' : error.category;
      const reason = error.details.inDoubt ? `${IN_DOUBT_REASON} (${error.message})` : error.message;
      await this.#settle(workspaceId, [], batch.map((item) => this.#letter(workspaceId, item.row, category, reason, operation, answer, item.request)), error.details.inDoubt ? 'in_doubt' : 'rejected');
      this.log.warn({ workspaceId, category, events: batch.length, reason }, 'event activation dead-lettered');
      return { accepted: 0, refused: batch.length };
    }
    const letters = refusals.flatMap(({ index, reason, answer }) => {
      const item = batch[index];
      return item ? [this.#letter(workspaceId, item.row, 'validation', `Brevo refused the event: ${reason}`, operation, answer, item.request)] : [];
    });
    const refusedIds = new Set(letters.map((letter) => letter.entityId));
    await this.#settle(workspaceId, ids.filter((id) => !refusedIds.has(id)), letters);
    if (letters.length > 0) this.log.warn({ workspaceId, category: 'validation', events: letters.length }, 'events refused by Brevo dead-lettered');
    return { accepted: ids.length - letters.length, refused: letters.length };
  }

  /** Claims the events no other live run holds and Brevo does not have yet; resolves with their rows, in occurrence order. */
  async #claim(workspaceId: string, ids: string[], jobId: string | null): Promise<EventRow[]> {
    const claimed = await this.db.$queryRaw<{ event_id: string }[]>`
      INSERT INTO brevo_event_states AS state (event_id, workspace_id, status, claimed_by)
      SELECT id, workspace_id, 'claimed', ${jobId}::text FROM events WHERE workspace_id = ${workspaceId}::uuid AND id = ANY(${ids}::uuid[])
      ON CONFLICT (event_id) DO UPDATE SET claimed_at = now(), claimed_by = ${jobId}::text
        WHERE state.status = 'claimed' AND (state.claimed_by = ${jobId}::text OR state.claimed_at < now() - make_interval(secs => ${this.claimLeaseMs / 1000}))
      RETURNING state.event_id::text`;
    if (claimed.length === 0) return [];
    return this.db.event.findMany({ where: { workspaceId, id: { in: claimed.map((row) => row.event_id) } }, orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }] });
  }

  /** Dead-letters the events whose run died while they were in flight: Brevo may have them, so they are not sent again. */
  async #takeInDoubt(workspaceId: string, ids: string[], jobId: string | null): Promise<number> {
    return this.db.$transaction(async (tx) => {
      const taken = await tx.$queryRaw<{ event_id: string }[]>`
        UPDATE brevo_event_states SET status = 'in_doubt', settled_at = now()
        WHERE workspace_id = ${workspaceId}::uuid AND event_id = ANY(${ids}::uuid[]) AND status = 'sending'
          AND (claimed_by = ${jobId}::text OR claimed_at < now() - make_interval(secs => ${this.claimLeaseMs / 1000}))
        RETURNING event_id::text`;
      if (taken.length === 0) return 0;
      const rows = await tx.event.findMany({ where: { workspaceId, id: { in: taken.map((row) => row.event_id) } } });
      for (const row of rows) await this.deadLetters.record(this.#letter(workspaceId, row, 'vendor_unavailable', IN_DOUBT_REASON, 'trackEvents', null), tx);
      return rows.length;
    });
  }

  async #mark(ids: string[], status: EventState) {
    await this.db.$executeRaw`UPDATE brevo_event_states SET status = ${status}, claimed_at = now() WHERE event_id = ANY(${ids}::uuid[])`;
  }

  /** Records Brevo's answer in one transaction: accepted events, and the others with their dead letters. */
  async #settle(workspaceId: string, accepted: string[], letters: NewDeadLetter[], failed: EventState = 'rejected') {
    const failedIds = letters.map((letter) => letter.entityId!);
    await this.db.$transaction(async (tx) => {
      await tx.$executeRaw`
        UPDATE brevo_event_states SET status = CASE WHEN event_id = ANY(${accepted}::uuid[]) THEN 'accepted' ELSE ${failed} END, settled_at = now()
        WHERE workspace_id = ${workspaceId}::uuid AND event_id = ANY(${[...accepted, ...failedIds]}::uuid[])`;
      for (const letter of letters) await this.deadLetters.record(letter, tx);
    });
  }

  #letter(workspaceId: string, row: EventRow, category: DeadLetterCategory, reason: string, operation: string, answer: unknown, request = brevoEvent(row)): NewDeadLetter {
    return { workspaceId, entityType: EVENT_ENTITY, entityId: row.id, sourceObjectId: row.eventId, category, reason, request: { operation, body: request }, response: answer ?? {} };
  }
}
