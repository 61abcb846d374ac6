import { setTimeout as sleep } from 'node:timers/promises';
import type { BrevoAttributeValue } from './attributes.ts';
import type { BrevoApi, BrevoProcess } from './client.ts';

const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 30_000;
/** An import that has not finished in this long is abandoned; its job is retried (imports are idempotent). */
const IMPORT_TIMEOUT_MS = 30 * 60_000;
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
 * Follows an account's imports to completion. GET /processes is on Brevo's slowest family (100
 * requests an hour on the general tier), so one poll answers every import waiting at the time,
 * and each import is asked about less often the longer it takes.
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

/**
 * Imports contacts in one request and reports which of them Brevo holds afterwards. Brevo answers
 * an import before it runs; the completed process carries a report naming a CSV file for each kind
 * of row it skipped. A clean report means every row was imported. Otherwise (or with no report),
 * the contacts the import changed are read back: a row Brevo holds under its email with its
 * external ID was imported; any other is the caller's to send on its own, which gives it Brevo's
 * precise answer.
 */
export async function importContacts(api: BrevoApi, processes: ProcessWatcher, listId: number, rows: ImportRow[]): Promise<Set<string>> {
  const { processId, acceptedAt } = await api.importContacts({
    jsonBody: rows.map((row) => ({ email: row.email, attributes: { ...row.attributes, EXT_ID: row.externalId } })),
    listIds: [listId],
    updateExistingContacts: true,
    // An attribute the record leaves out keeps the value Brevo has (as the single upsert does).
    emptyContactsAttributes: false,
    disableNotification: true,
  });
  const { importReport } = await processes.waitFor(processId);
  if (importReport && Object.values(importReport).every((url) => url === null || url === undefined)) return new Set(rows.map((row) => row.externalId));

  const wanted = new Map(rows.map((row) => [row.email, row.externalId]));
  const confirmed = new Set<string>();
  const since = new Date(acceptedAt.getTime() - CLOCK_SLACK_MS);
  for (let offset = 0; confirmed.size < rows.length; offset += CONTACTS_PAGE) {
    const { contacts } = await api.listContactsModifiedSince(since, { limit: CONTACTS_PAGE, offset });
    for (const contact of contacts) {
      if (contact.email && contact.extId && wanted.get(contact.email) === contact.extId) confirmed.add(contact.extId);
    }
    if (contacts.length < CONTACTS_PAGE) break;
  }
  return confirmed;
}
