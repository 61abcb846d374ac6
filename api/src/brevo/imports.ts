import { setTimeout as sleep } from 'node:timers/promises';
import type { BrevoAttributeValue } from './attributes.ts';
import type { BrevoApi, BrevoProcess } from './client.ts';
import type { BrevoAccount } from './accounts.ts';

const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 30_000;
/** A process that has not finished in this long is abandoned, before pg-boss's 15-minute job expiry; its job is retried (batches are idempotent). */
const IMPORT_TIMEOUT_MS = 10 * 60_000;
/** Brevo's Date header has one-second resolution. */
const CLOCK_SLACK_MS = 1_000;
/** Brevo's largest page of GET /contacts. */
const CONTACTS_PAGE = 1_000;
/** GET /processes lists this many, newest first. */
const PROCESSES_PAGE = 50;

interface Waiting {
  waiters: { resolve(process: BrevoProcess): void; reject(error: unknown): void }[];
  /** When this process is next asked about; the gap doubles each time, up to MAX_POLL_MS. */
  nextAt: number;
  gap: number;
  deadline: number;
}

/**
 * Follows an account's background processes (object batches) to completion. GET /processes is on
 * Brevo's slowest family (100 requests an hour on the general tier), so one poll answers every
 * process waiting at the time, and each is asked about less often the longer it takes. Contact
 * imports are confirmed by reading them back instead (confirmImport).
 */
export class ProcessWatcher {
  readonly #waiting = new Map<number, Waiting>();
  #polling = false;

  constructor(private readonly api: BrevoApi) {}

  /** Resolves with the process once Brevo has completed it; rejects if it failed or was cancelled. */
  waitFor(processId: number): Promise<BrevoProcess> {
    return new Promise((resolve, reject) => {
      const now = Date.now();
      const waiting = this.#waiting.get(processId) ?? { waiters: [], nextAt: now + FIRST_POLL_MS, gap: FIRST_POLL_MS, deadline: now + IMPORT_TIMEOUT_MS };
      waiting.waiters.push({ resolve, reject });
      this.#waiting.set(processId, waiting);
      if (!this.#polling) void this.#poll();
    });
  }

  async #poll() {
    this.#polling = true;
    try {
      while (this.#waiting.size > 0) {
        const next = Math.min(...[...this.#waiting.values()].map((waiting) => waiting.nextAt));
        await sleep(Math.max(0, next - Date.now()));
        try {
          await this.#check();
        } catch (error) {
          // The client already retried what can be retried: tell the jobs, which retry themselves.
          for (const id of [...this.#waiting.keys()]) this.#settle(id, error as Error);
        }
      }
    } finally {
      this.#polling = false;
    }
  }

  async #check() {
    const processes = await this.api.listProcesses();
    const oldestListed = processes.length === PROCESSES_PAGE ? Math.min(...processes.map((p) => p.id)) : 0;
    const listed = new Map(processes.map((p) => [p.id, p]));
    const now = Date.now();
    for (const [id, waiting] of [...this.#waiting]) {
      // Past the newest page (many imports at once): asked about on its own.
      const current = listed.get(id) ?? (id < oldestListed ? await this.api.getProcess(id) : undefined);
      if (current?.status === 'completed') this.#settle(id, current);
      else if (current?.status === 'failed' || current?.status === 'cancelled') this.#settle(id, new Error(`Brevo import process ${id} ${current.status}`));
      else if (now >= waiting.deadline) this.#settle(id, new Error(`Brevo import process ${id} did not complete in ${IMPORT_TIMEOUT_MS / 60_000} minutes`));
      else if (now >= waiting.nextAt) {
        waiting.gap = Math.min(waiting.gap * 2, MAX_POLL_MS);
        waiting.nextAt = now + waiting.gap;
      }
    }
  }

  #settle(id: number, outcome: BrevoProcess | Error) {
    for (const waiter of this.#waiting.get(id)?.waiters ?? []) {
      if (outcome instanceof Error) waiter.reject(outcome);
      else waiter.resolve(outcome);
    }
    this.#waiting.delete(id);
  }
}

export interface ImportRow {
  externalId: string;
  email: string;
  attributes: Record<string, BrevoAttributeValue>;
}

/** Blocklists an import applies to every one of its rows (Brevo's flags are per import, not per row). */
export interface ImportBlocklist {
  email: boolean;
  sms: boolean;
}

/**
 * The first read-back of an import comes when the account's last import took to land (a step
 * after Brevo accepted it, the first time); each next one a step longer after the last, up to the
 * cap. Reading early costs a request of the contacts family (10 a second); reading late costs lag
 * on every contact of the import, and the next import waits for it.
 */
const READ_BACK_STEP_MS = 100;
/** How long each account's last import took to land (by its client). */
const landingTimes = new WeakMap<BrevoApi, number>();
/** A landing seen at the first read may have come sooner: the next first read comes this much earlier. */
const LANDING_PROBE_MS = 50;
const MAX_READ_BACK_GAP_MS = 5_000;
/** An import none of whose rows shows this long after Brevo accepted it may be asked about on the hourly family. */
const PROCESS_CHECK_AFTER_MS = 10_000;
const PROCESS_CHECK_GAP_MS = 60_000;
/** Reads in a row that confirm nothing more, after an import landed, before its unconfirmed rows go one by one (without a process check). */
const MAX_STALLED_READS = 3;
/** Requests of the hourly family left for setup calls (lists, attributes): a process check never takes them. */
const SETUP_RESERVE = 20;
/** After this long, the rows an import has not confirmed take the single path (within pg-boss's 15-minute job expiry). */
const IMPORT_CONFIRM_TIMEOUT_MS = 10 * 60_000;

/** An import Brevo accepted and carries out in the background. */
export interface SentImport {
  processId: number;
  acceptedAt: Date;
  rows: ImportRow[];
}

/** Sends contacts as one import; resolves once Brevo accepted it (it runs later, in order of acceptance). */
export async function sendImport(api: BrevoApi, listId: number, rows: ImportRow[], blocklist: ImportBlocklist = { email: false, sms: false }): Promise<SentImport> {
  const { processId, acceptedAt } = await api.importContacts({
    jsonBody: rows.map((row) => ({ email: row.email, attributes: { ...row.attributes, EXT_ID: row.externalId } })),
    listIds: [listId],
    updateExistingContacts: true,
    // An attribute the record leaves out keeps the value Brevo has (as the single upsert does).
    emptyContactsAttributes: false,
    disableNotification: true,
    // Only ever set: an import without a flag leaves a blocklist Brevo holds as it is.
    ...(blocklist.email ? { emailBlacklist: true } : {}),
    ...(blocklist.sms ? { smsBlacklist: true } : {}),
  });
  return { processId, acceptedAt, rows };
}

/**
 * Reports which rows of an import Brevo holds once it ran. What landed is read back on the
 * contacts family (10 requests a second): a row Brevo holds under its email with its external ID,
 * modified since the import was accepted, was imported. GET /processes/{id} would tell when the import is over, but Brevo counts it against
 * its slowest family (100 requests an hour on the general tier): it is asked only when the reads
 * stop confirming rows (Brevo refused some) and that family has more than its setup reserve left. Rows not
 * confirmed in the end are the caller's to send on their own, which gives them Brevo's precise
 * answer; an upsert of one that did land changes nothing.
 */
export async function confirmImport(account: Pick<BrevoAccount, 'api' | 'limiter'>, { processId, acceptedAt, rows }: SentImport): Promise<Set<string>> {
  const { api, limiter } = account;
  const started = Date.now();
  const wanted = new Map(rows.map((row) => [row.email, row.externalId]));
  const confirmed = new Set<string>();
  const since = new Date(acceptedAt.getTime() - CLOCK_SLACK_MS);
  let lastProcessCheck: number | null = null;
  let stalledReads = 0;
  const expectedLanding = landingTimes.get(api) ?? READ_BACK_STEP_MS;
  for (let step = 1; confirmed.size < rows.length && Date.now() - started < IMPORT_CONFIRM_TIMEOUT_MS; step += 1) {
    const gap = step === 1 ? expectedLanding : Math.min((step - 1) * READ_BACK_STEP_MS, MAX_READ_BACK_GAP_MS);
    await sleep(gap);
    const before = confirmed.size;
    for (let offset = 0; ; offset += CONTACTS_PAGE) {
      const { contacts } = await api.listContactsModifiedSince(since, { limit: CONTACTS_PAGE, offset });
      for (const contact of contacts) {
        if (contact.email && contact.extId && wanted.get(contact.email) === contact.extId) confirmed.add(contact.extId);
      }
      if (contacts.length < CONTACTS_PAGE) break;
    }
    const now = Date.now();
    if (confirmed.size === rows.length) {
      // Landed by the first read: perhaps sooner, so a little earlier next time; else between
      // the last two reads.
      landingTimes.set(api, step === 1 ? Math.max(READ_BACK_STEP_MS, expectedLanding - LANDING_PROBE_MS) : now - started - gap / 2);
    }
    // Asked only when the import landed and then stopped confirming rows (Brevo refused some), or nothing landed for long.
    const stalled = confirmed.size > 0 ? confirmed.size === before : now - started >= PROCESS_CHECK_AFTER_MS;
    stalledReads = stalled ? stalledReads + 1 : 0;
    if (confirmed.size === rows.length || !stalled || (lastProcessCheck !== null && now - lastProcessCheck < PROCESS_CHECK_GAP_MS)) continue;
    if ((await limiter.available('other')) <= SETUP_RESERVE) {
      // No process check to spare: once the import has landed and reads stop confirming more,
      // the rest take the single path (Brevo's own answer) rather than holding the job.
      if (confirmed.size > 0 && stalledReads >= MAX_STALLED_READS) break;
      continue;
    }
    lastProcessCheck = now;
    const process = await api.getProcess(processId);
    if (process.status === 'completed') break;
    if (process.status === 'failed' || process.status === 'cancelled') throw new Error(`Brevo import process ${processId} ${process.status}`);
  }
  return confirmed;
}
