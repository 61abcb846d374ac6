import { expect } from 'vitest';
import type { App } from '../../api/src/app.ts';
import { withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { createObjectType } from '../support/sources.ts';

export interface RecordResultBody {
  index: number;
  status: string;
  id: string | null;
  externalId: string | null;
  errors: { field: string; reason: string }[];
}

/** A subscription type: every attribute type, records identified by `subscription_id`, associated with contacts and vehicles. */
export const SUBSCRIPTION = {
  name: 'subscription',
  attributes: [
    { name: 'subscription_id', type: 'text', required: true },
    { name: 'seats', type: 'number' },
    { name: 'active', type: 'boolean' },
    { name: 'renews_on', type: 'date' },
    { name: 'started_at', type: 'datetime' },
    { name: 'monthly_price', type: 'money' },
    { name: 'billing_email', type: 'email' },
    { name: 'billing_phone', type: 'phone' },
  ],
  externalIdRule: { kind: 'attribute', attribute: 'subscription_id' },
  associations: ['contact', 'vehicle'],
};

export const VEHICLE = {
  name: 'vehicle',
  attributes: [
    { name: 'vin', type: 'text', required: true },
    { name: 'plate', type: 'text' },
  ],
  externalIdRule: { kind: 'hash', attributes: ['vin'] },
};

/** Creates the vehicle type, then the subscription type (which may be associated with vehicles). */
export async function defineTypes(app: App, ws: TestWorkspace) {
  for (const type of [VEHICLE, SUBSCRIPTION]) await createObjectType(app, ws, type);
}

/** The ways a record reaches the write path: the single upsert, the batch endpoint, a source's page (upsertTyped in its transaction). */
export const WRITE_PATHS = ['single', 'batch', 'sync'] as const;
export type WritePath = (typeof WRITE_PATHS)[number];

/** A record to write; `messageTime` is a source's message time, the record's source time unless it gives one (sync only). */
export interface PathWrite {
  record: Record<string, unknown>;
  messageTime?: string;
}

export interface PathOutcome {
  status: string;
  id: string | null;
  skipped: string[];
  errors: { field: string; reason: string }[];
}

/** Writes records of one type through `path`, in order (the single upsert: one request each); one outcome per record. */
export async function writeThrough(t: TestApp, ws: TestWorkspace, type: string, path: WritePath, writes: readonly PathWrite[]): Promise<PathOutcome[]> {
  if (path !== 'sync' && writes.some((write) => write.messageTime !== undefined)) throw new Error('only a source page has message times');
  if (path === 'sync') {
    const ctx = { workspaceId: ws.id, settings: { sourceName: 'test', defaultPhoneRegion: 'US' as const }, requestId: 'test-sync-page' };
    const typed = writes.map(({ record, messageTime }) => ({ type, record, sourceUpdatedAt: messageTime }));
    const outcomes = await t.db.$transaction((tx) => t.app.services.objects.upsertTyped(tx, ctx, typed));
    return outcomes.map(({ status, id, skipped, errors }) => ({ status, id, skipped: skipped ?? [], errors }));
  }
  if (path === 'batch') {
    const response = await t.app.inject({ method: 'POST', url: `/v1/objects/${type}/records/batch`, headers: withKey(ws.writeKey), payload: { records: writes.map((write) => write.record) } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ results: (RecordResultBody & { skipped?: string[] })[] }>().results.map(({ status, id, skipped, errors }) => ({ status, id, skipped: skipped ?? [], errors }));
  }
  const outcomes: PathOutcome[] = [];
  for (const { record } of writes) {
    const response = await t.app.inject({ method: 'POST', url: `/v1/objects/${type}/records`, headers: withKey(ws.writeKey), payload: record });
    if (response.statusCode === 400) {
      // A refused single record answers a problem, its fields under body.
      const errors = response.json<{ errors: { field: string; reason: string }[] }>().errors.map(({ field, reason }) => ({ field: field.replace(/^body\./, ''), reason }));
      outcomes.push({ status: 'rejected', id: null, skipped: [], errors });
      continue;
    }
    expect(response.statusCode, response.body).toBeLessThan(300);
    const body = response.json<{ result: string; skipped: string[]; record: { id: string } }>();
    outcomes.push({ status: body.result, id: body.record.id, skipped: body.skipped, errors: [] });
  }
  return outcomes;
}

/** A record as stored, found by external ID, with the versions and activation work recorded for it. */
export async function storedRecord(t: TestApp, ws: TestWorkspace, type: string, externalId: string) {
  const response = await t.app.inject({ method: 'GET', url: `/v1/objects/${type}/records/lookup?externalId=${encodeURIComponent(externalId)}`, headers: withKey(ws.readKey) });
  expect(response.statusCode, response.body).toBe(200);
  const record = response.json<{ id: string; attributes: Record<string, unknown>; version: number }>();
  const versions = await t.db.objectRecordVersion.count({ where: { recordId: record.id } });
  const queued = await t.db.activationOutbox.count({ where: { entityType: 'object_record', entityId: record.id } });
  return { ...record, versions, queued };
}
