import { Prisma, type Contact as ContactRow } from '../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import type { WorkspaceSettings } from '../auth/service.ts';
import { AppError, notFound } from '../errors/problem.ts';
import { afterCursor, toPage } from '../http/cursor.ts';
import type { IdempotencyService } from '../idempotency/service.ts';
import { MESSAGE_ENTITY } from '../messages/service.ts';
import { tally, type Metrics } from '../metrics/registry.ts';
import { changeContact, writeContacts, type CoalescingWriter, type ContactWrite, type SqlExecutor, type WriteOutcome, type WriteResult } from './writer.ts';
import {
  normalizeContact,
  normalizeEmail,
  type Consent,
  type NormalizedContact,
  type Rejection,
} from './normalize.ts';

export interface RecordOutcome {
  index: number;
  status: WriteResult | 'rejected';
  id: string | null;
  externalId: string | null;
  /** Fields kept because Tajo holds them at a newer source time. */
  skipped?: string[];
  errors: Rejection[];
}

export interface WriteContext {
  workspaceId: string;
  settings: WorkspaceSettings;
  requestId: string;
  /** When the request arrived (ISO-8601): the source time of records without sourceUpdatedAt. Now by default. */
  arrivedAt?: string;
}

export interface ContactSearch {
  email?: string | undefined;
  externalId?: string | undefined;
  updatedSince?: string | undefined;
  attribute?: string | undefined;
  attributeValue?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

type ChannelConsentJson = NonNullable<Consent['email']>;

const MAX_ATTRIBUTE_NAMES = 1_000;

/** Contacts whose attribute has the value given as text (text, number or boolean), or has the attribute at all. */
function attributeFilter(name: string, value: string | undefined): Prisma.ContactWhereInput {
  if (value === undefined) return { attributes: { path: [name], not: Prisma.AnyNull } };
  const candidates: Prisma.InputJsonValue[] = [value];
  if (value.trim() !== '' && Number.isFinite(Number(value))) candidates.push(Number(value));
  if (value === 'true' || value === 'false') candidates.push(value === 'true');
  return { OR: candidates.map((candidate) => ({ attributes: { path: [name], equals: candidate } })) };
}

export class ContactService {
  constructor(
    private readonly db: Db,
    private readonly idempotency: IdempotencyService,
    /** Single-record writes go through group commit; batches are already one statement. */
    private readonly writer: CoalescingWriter,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Normalizes and writes each record on its own: one bad record never fails the others. Given a
   * transaction (`within`), the writes commit with it, and the caller counts them once it commits.
   */
  async upsertMany(ctx: WriteContext, records: readonly unknown[], within?: SqlExecutor): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = new Array(records.length);
    const writes: ContactWrite[] = [];
    const indexes: number[] = [];
    const arrivedAt = ctx.arrivedAt ?? new Date().toISOString();
    records.forEach((record, index) => {
      const normalized = normalizeContact(record, this.normalizeContext(ctx));
      if (normalized.ok) {
        writes.push(toWrite(ctx, normalized, record, arrivedAt));
        indexes.push(index);
      } else {
        outcomes[index] = { index, status: 'rejected', id: null, externalId: null, errors: normalized.rejections };
      }
    });
    const written = await writeContacts(this.db.sql, writes, 'upsert', within ? { within } : {});
    written.forEach((outcome, i) => {
      const index = indexes[i]!;
      const skipped = outcome.skipped ? { skipped: outcome.skipped } : {};
      outcomes[index] = { index, status: outcome.status, id: outcome.id, externalId: writes[i]!.contact.externalId, ...skipped, errors: [] };
    });
    if (!within) this.metrics.countWrite(records.length, tally(outcomes));
    return outcomes;
  }

  async upsert(ctx: WriteContext, input: unknown) {
    return this.writeOne(ctx, input, 'upsert');
  }

  async create(ctx: WriteContext, input: unknown) {
    const written = await this.writeOne(ctx, input, 'create');
    if (written.result !== 'created') {
      throw new AppError('conflict', `A contact with external ID '${written.contact.externalId}' already exists (id ${written.contact.id}); update or upsert it instead.`);
    }
    return written;
  }

  /**
   * Partial update of a contact found by ID: merged as an upsert is (absent fields keep their value, null clears
   * one, attributes and consent merge by key, older fields are kept). The contact is read, merged and written
   * under its row lock, so concurrent updates of one contact apply one after another and none is lost.
   */
  async update(ctx: WriteContext, id: string, patch: Record<string, unknown>) {
    const arrivedAt = ctx.arrivedAt ?? new Date().toISOString();
    const written = await changeContact(this.db.sql, ctx.workspaceId, id, (current) => {
      // The patch names no identity: the contact's own, so it normalizes as a record of that contact.
      const record = { ...patch, externalId: current.externalId, source: current.source };
      return toWrite(ctx, this.normalizeOrThrow(ctx, record), patch, arrivedAt);
    });
    if (!written?.row) throw notFound('The contact');
    this.metrics.countWrite(1, tally([written]));
    return writeAnswer(written, written.row);
  }

  async get(workspaceId: string, id: string) {
    return toContact(await this.findLive(workspaceId, id));
  }

  async lookup(workspaceId: string, by: { externalId?: string | undefined; email?: string | undefined }) {
    const where: Prisma.ContactWhereInput = { workspaceId, deletedAt: null };
    if (by.externalId !== undefined) where.externalId = by.externalId;
    if (by.email !== undefined) where.email = this.emailFilter(by.email, 'query.email');
    // Several contacts may share an email (different external IDs): the most recently updated one wins.
    const row = await this.db.contact.findFirst({ where, orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }] });
    if (!row) throw notFound('The contact');
    return toContact(row);
  }

  async search(workspaceId: string, query: ContactSearch) {
    const where: Prisma.ContactWhereInput = { workspaceId, deletedAt: null };
    if (query.email !== undefined) where.email = this.emailFilter(query.email, 'query.email');
    if (query.externalId !== undefined) where.externalId = query.externalId;
    const and: Prisma.ContactWhereInput[] = [];
    if (query.updatedSince !== undefined) and.push({ updatedAt: { gte: new Date(query.updatedSince) } });
    if (query.attribute !== undefined) and.push(attributeFilter(query.attribute, query.attributeValue));
    if (query.cursor !== undefined) and.push(afterCursor('updatedAt', query.cursor));
    if (and.length > 0) where.AND = and;
    const rows = await this.db.contact.findMany({
      where,
      orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
      take: query.limit + 1,
    });
    const { page, nextCursor } = toPage(rows, query.limit, (row) => row.updatedAt);
    return { data: page.map(toContact), nextCursor };
  }

  /** The custom attributes in use, with the type of their values: what pick lists and mappings offer. */
  async attributeNames(workspaceId: string) {
    const rows = await this.db.$queryRaw<{ name: string; type: 'string' | 'number' | 'boolean'; contacts: bigint }[]>`
      SELECT attribute.key AS name, jsonb_typeof(attribute.value) AS type, count(*) AS contacts
      FROM contacts, jsonb_each(contacts.attributes) AS attribute
      WHERE contacts.workspace_id = ${workspaceId}::uuid AND contacts.deleted_at IS NULL AND jsonb_typeof(attribute.value) IN ('string', 'number', 'boolean')
      GROUP BY 1, 2 ORDER BY 1, 2 LIMIT ${MAX_ATTRIBUTE_NAMES}`;
    return rows.map((row) => ({ name: row.name, type: row.type, contacts: Number(row.contacts) }));
  }

  /** Soft delete: hidden from reads, kept for audit, and the deletion is queued for activation. */
  async softDelete(ctx: WriteContext, id: string) {
    return this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ version: number }[]>`
        UPDATE contacts SET deleted_at = now(), updated_at = now(), version = version + 1
        WHERE id = ${id}::uuid AND workspace_id = ${ctx.workspaceId}::uuid AND deleted_at IS NULL
        RETURNING version`;
      const row = rows[0];
      if (!row) throw notFound('The contact');
      await tx.activationOutbox.create({
        data: { workspaceId: ctx.workspaceId, entityType: 'contact', entityId: id, operation: 'delete', entityVersion: row.version },
      });
      return { id, status: 'deleted' as const };
    });
  }

  /**
   * GDPR erasure: removes the contact, every stored payload and version, pending work that would
   * carry its data, and stored idempotent responses quoting it; keeps only the fact of erasure.
   */
  async erase(ctx: WriteContext, id: string) {
    return this.db.$transaction(async (tx) => {
      const row = await tx.contact.findFirst({ where: { id, workspaceId: ctx.workspaceId } });
      if (!row) throw notFound('The contact');
      // Dead letters of its messages quote its email address; the messages go with the contact.
      const messages = await tx.message.findMany({ where: { contactId: id }, select: { id: true } });
      await tx.deadLetter.deleteMany({ where: { workspaceId: ctx.workspaceId, entityType: MESSAGE_ENTITY, entityId: { in: messages.map((m) => m.id) } } });
      await tx.contact.delete({ where: { id } });
      await tx.activationOutbox.deleteMany({ where: { workspaceId: ctx.workspaceId, entityType: 'contact', entityId: id, processedAt: null } });
      await tx.activationOutbox.create({
        data: {
          workspaceId: ctx.workspaceId,
          entityType: 'contact',
          entityId: id,
          operation: 'erase',
          entityVersion: row.version + 1,
          externalId: row.externalId,
        },
      });
      // Dead letters quote the record's data; Brevo's state rows are only about a contact now gone.
      await tx.deadLetter.deleteMany({ where: { workspaceId: ctx.workspaceId, entityType: 'contact', entityId: id } });
      await tx.brevoContactState.deleteMany({ where: { contactId: id } });
      await tx.brevoListMember.deleteMany({ where: { contactId: id } });
      await tx.contactErasure.create({ data: { workspaceId: ctx.workspaceId, contactId: id, requestId: ctx.requestId } });
      await this.idempotency.forgetResponsesMentioning(ctx.workspaceId, id, tx);
      return { id, status: 'erased' as const };
    });
  }

  private normalizeContext(ctx: WriteContext) {
    return { defaultSource: ctx.settings.sourceName, defaultRegion: ctx.settings.defaultPhoneRegion };
  }

  private emailFilter(email: string, field: string): string {
    const normalized = normalizeEmail(email);
    if (!normalized.ok) throw new AppError('validation', `The email to match is invalid: ${normalized.reason}.`, { errors: [{ field, reason: normalized.reason }] });
    return normalized.value;
  }

  private async findLive(workspaceId: string, id: string): Promise<ContactRow> {
    const row = await this.db.contact.findFirst({ where: { id, workspaceId, deletedAt: null } });
    if (!row) throw notFound('The contact');
    return row;
  }

  private normalizeOrThrow(ctx: WriteContext, input: unknown): NormalizedRecord {
    const normalized = normalizeContact(input, this.normalizeContext(ctx));
    if (normalized.ok) return normalized;
    this.metrics.countWrite(1, tally([{ status: 'rejected' }]));
    throw new AppError('validation', 'The contact cannot be normalized; see errors.', {
      errors: normalized.rejections.map((rejection) => ({ field: `body.${rejection.field}`.replace(/\.$/, ''), reason: rejection.reason })),
    });
  }

  private async writeOne(ctx: WriteContext, input: unknown, mode: 'upsert' | 'create') {
    const written = await this.writer.write(toWrite(ctx, this.normalizeOrThrow(ctx, input), input, ctx.arrivedAt ?? new Date().toISOString()), mode);
    // An update of a contact deleted meanwhile writes nothing and finds nothing.
    if (!written.row) throw notFound('The contact');
    this.metrics.countWrite(1, tally([written]));
    return writeAnswer(written, written.row);
  }
}

type NormalizedRecord = Extract<ReturnType<typeof normalizeContact>, { ok: true }>;

function toWrite(ctx: WriteContext, normalized: NormalizedRecord, payload: unknown, arrivedAt: string): ContactWrite {
  const { contact, cleared, sourceDefaulted } = normalized;
  return { workspaceId: ctx.workspaceId, requestId: ctx.requestId, contact, cleared, sourceDefaulted, arrivedAt, payload };
}

function writeAnswer(written: WriteOutcome, row: ContactRow) {
  return { result: written.status, skipped: written.skipped ?? [], contact: toContact(row) };
}

export function toContact(row: ContactRow) {
  const consent = row.consent as unknown as Record<string, ChannelConsentJson>;
  return {
    id: row.id,
    externalId: row.externalId,
    source: row.source,
    sourceId: row.sourceId,
    email: row.email,
    phone: row.phone,
    firstName: row.firstName,
    lastName: row.lastName,
    locale: row.locale,
    lifetimeValue:
      row.lifetimeValueMinor !== null && row.lifetimeValueCurrency !== null
        ? { currency: row.lifetimeValueCurrency, amountMinor: Number(row.lifetimeValueMinor) }
        : null,
    consent,
    attributes: row.attributes as NormalizedContact['attributes'],
    sourceCreatedAt: row.sourceCreatedAt?.toISOString() ?? null,
    sourceUpdatedAt: row.sourceUpdatedAt?.toISOString() ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
