/**
 * The record contract for contacts: what a write does to a stored contact.
 *
 * - A field the write leaves out keeps its stored value; null clears it; attributes merge by name and consent by
 *   channel (`attributes: null` clears every attribute; consent is never cleared, only changed by a newer status).
 * - Each field applies only when the write's source time for it is newer than that of the value held (see
 *   normalize/field-order.ts): the write's `sourceUpdatedAt`, else its arrival; a consent channel's own timestamp.
 */
import type { Contact as ContactRow } from '../generated/prisma/client.ts';
import { canonicalJson } from '../normalize/canonical.ts';
import { emptyFields, mergeFields, newerTime, type FieldChange, type MergeOutcome, type TieBreak, type TimedFields } from '../normalize/field-order.ts';
import { CLEARABLE_FIELDS, CONSENT_CHANNELS, type ChannelConsent, type ClearableField, type ConsentStatus, type NormalizedContact } from './normalize.ts';

/** The top-level contact fields a write may set (identity aside: externalId is the key); all but source may be cleared. */
const CONTACT_FIELDS = ['source', ...CLEARABLE_FIELDS.filter((field): field is Exclude<ClearableField, 'attributes'> => field !== 'attributes')] as const;

/** On equal times, the more restrictive consent wins: an opt-out is never lost to a tie. */
const CONSENT_RANK: Record<ConsentStatus, number> = { opted_in: 0, pending: 1, opted_out: 2 };

const tieBreak: TieBreak = (field, a, b) => {
  if (field.startsWith('consent.')) {
    const byStatus = CONSENT_RANK[(a as ChannelConsent).status] - CONSENT_RANK[(b as ChannelConsent).status];
    if (byStatus !== 0) return byStatus;
  }
  const [x, y] = [canonicalJson(a), canonicalJson(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/** A normalized write, ready to merge: what it sets, what it clears, and its source time. */
export interface ContactChange {
  contact: NormalizedContact;
  /** Fields given as null. */
  cleared: readonly ClearableField[];
  /** The record named no source: the workspace's applies to a new contact only. */
  sourceDefaulted: boolean;
  /** The write's source time: its sourceUpdatedAt, else when it arrived. */
  time: string;
}

function fieldChanges({ contact, cleared, sourceDefaulted, time }: ContactChange): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of CONTACT_FIELDS) {
    if (contact[field] !== undefined && !(field === 'source' && sourceDefaulted)) changes.push({ field, value: contact[field], time });
  }
  for (const field of cleared) if (field !== 'attributes') changes.push({ field, value: null, time });
  for (const [name, value] of Object.entries(contact.attributes)) changes.push({ field: `attributes.${name}`, value, time });
  for (const channel of CONSENT_CHANNELS) {
    const consent = contact.consent[channel];
    if (consent) changes.push({ field: `consent.${channel}`, value: consent, time: consent.timestamp ?? time });
  }
  return changes;
}

/** A stored contact's fields with the source time of each. */
export function storedFields(row: ContactRow): TimedFields {
  const values: Record<string, unknown> = {};
  const put = (field: string, value: unknown) => {
    if (value !== null && value !== undefined) values[field] = value;
  };
  put('source', row.source);
  put('sourceId', row.sourceId);
  put('email', row.email);
  put('phone', row.phone);
  put('firstName', row.firstName);
  put('lastName', row.lastName);
  put('locale', row.locale);
  if (row.lifetimeValueMinor !== null && row.lifetimeValueCurrency !== null) {
    put('lifetimeValue', { currency: row.lifetimeValueCurrency, amountMinor: Number(row.lifetimeValueMinor) });
  }
  put('sourceCreatedAt', row.sourceCreatedAt?.toISOString());
  for (const [name, value] of Object.entries(row.attributes as Record<string, unknown>)) put(`attributes.${name}`, value);
  for (const [channel, value] of Object.entries(row.consent as Record<string, unknown>)) put(`consent.${channel}`, value);
  return { values, times: { ...(row.fieldTimes as Record<string, string>) } };
}

export interface ContactMerge extends MergeOutcome {
  /** The contact as it stands after the write (externalId as the write's). */
  contact: NormalizedContact;
}

/**
 * Applies a write to a stored contact (`stored` null: a new one). The contact's sourceUpdatedAt is the newest one
 * any write has given, stale ones included: taken only from writes that changed something, it would depend on
 * arrival order (a consent channel's own timestamp can make the newest write stale in one order and not another).
 */
export function mergeContact(stored: { fields: TimedFields; sourceUpdatedAt: string | undefined } | null, change: ContactChange): ContactMerge {
  const write = { changes: fieldChanges(change), clears: change.cleared.includes('attributes') ? [{ group: 'attributes', time: change.time }] : [] };
  const outcome = mergeFields(stored?.fields ?? emptyFields(), write, tieBreak);
  const given = change.contact.sourceUpdatedAt;
  const sourceUpdatedAt = given !== undefined ? newerTime(given, stored?.sourceUpdatedAt) : stored?.sourceUpdatedAt;
  const contact = contactOf(change.contact.externalId, outcome.fields, sourceUpdatedAt);
  contact.source ??= change.contact.source;
  return { ...outcome, contact };
}

function contactOf(externalId: string, { values }: TimedFields, sourceUpdatedAt: string | undefined): NormalizedContact {
  const contact: Record<string, unknown> = { externalId, consent: {}, attributes: {} };
  for (const [field, value] of Object.entries(values)) {
    const dot = field.indexOf('.');
    if (dot < 0) contact[field] = value;
    else (contact[field.slice(0, dot)] as Record<string, unknown>)[field.slice(dot + 1)] = value;
  }
  if (sourceUpdatedAt !== undefined) contact.sourceUpdatedAt = sourceUpdatedAt;
  return contact as unknown as NormalizedContact;
}
