import type { CountryCode } from 'libphonenumber-js';
import { Prisma, type ObjectType as ObjectTypeRow } from '../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { AppError, notFound, type FieldError } from '../errors/problem.ts';
import { afterCursor, toPage } from '../http/cursor.ts';
import type { IdempotencyService } from '../idempotency/service.ts';
import type { RecordOutcome, WriteContext } from '../contacts/service.ts';
import { isBlank, isRecord, Rejections, type Rejection } from '../contacts/normalize.ts';
import { sourceTimeOf } from '../normalize/field-order.ts';
import {
  CONTACT_TARGET,
  changeRejections,
  definitionRejections,
  normalizeObjectRecord,
  parseAssociation,
  type AssociationReference,
  type AttributeDefinition,
  type ExternalIdRule,
  type ObjectTypeDefinition,
  type ObjectValue,
} from './normalize.ts';
import { OBJECT_RECORD_ENTITY, writeRecords, type RecordWrite } from './writer.ts';

/**
 * Outbox entity types. A record: upsert | delete | erase (erase carries the external ID). An
 * association: upsert | delete, the row kept (soft-deleted) so activation can read what to remove.
 */
export { OBJECT_RECORD_ENTITY };
export const OBJECT_ASSOCIATION_ENTITY = 'object_association';

type Tx = Prisma.TransactionClient;

/** A type as the API takes it: unsaid, attributes are optional and nothing may be associated. */
export interface ObjectTypeInput {
  name: string;
  brevoObjectType?: string | undefined;
  attributes: AttributeInput[];
  externalIdRule: ExternalIdRule;
  associations?: string[] | undefined;
}

type AttributeInput = Omit<AttributeDefinition, 'required'> & { required?: boolean | undefined };

export type ObjectTypePatch = Partial<Omit<ObjectTypeInput, 'name'>>;

const withDefaults = (attributes: readonly AttributeInput[]): AttributeDefinition[] => attributes.map((attribute) => ({ ...attribute, required: attribute.required ?? false }));

export interface ObjectRecordSearch {
  externalId?: string | undefined;
  updatedSince?: string | undefined;
  contactId?: string | undefined;
  contactExternalId?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface AssociationOutcome {
  index: number;
  status: 'created' | 'removed' | 'unchanged' | 'rejected';
  id: string | null;
  errors: Rejection[];
}

/** A record of a type named beside it, as a source's mapping makes them. */
export interface TypedRecord {
  type: string;
  record: unknown;
  /** The source time of a record that gives no sourceUpdatedAt of its own (a source's message time). */
  sourceUpdatedAt?: string | undefined;
}

/** An association's other end as stored: its type and external ID. */
interface Target {
  targetType: string;
  targetExternalId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const definitionOf = (row: ObjectTypeRow): ObjectTypeDefinition => ({
  name: row.name,
  brevoObjectType: row.brevoObjectType,
  attributes: row.attributes as unknown as AttributeDefinition[],
  externalIdRule: row.externalIdRule as unknown as ExternalIdRule,
  associations: row.associations,
});

export const toObjectType = (row: ObjectTypeRow) => ({
  id: row.id,
  ...definitionOf(row),
  version: row.version,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const bodyErrors = (rejections: readonly Rejection[], prefix = 'body'): FieldError[] =>
  rejections.map((rejection) => ({ field: [prefix, rejection.field].filter(Boolean).join('.'), reason: rejection.reason }));

/** Adds associations (or revives removed ones) and queues each change; answers the rows that changed. */
const ADD_ASSOCIATIONS = `
  WITH input AS (
    SELECT DISTINCT * FROM jsonb_to_recordset($1::jsonb) AS t(record_id uuid, target_type text, target_external_id text)
  ),
  written AS (
    INSERT INTO object_associations AS a (workspace_id, record_id, target_type, target_external_id)
    SELECT $2::uuid, record_id, target_type, target_external_id FROM input ORDER BY 2, 3, 4
    ON CONFLICT (record_id, target_type, target_external_id) DO UPDATE SET deleted_at = NULL, version = a.version + 1, updated_at = now()
    WHERE a.deleted_at IS NOT NULL
    RETURNING a.id, a.record_id, a.target_type, a.target_external_id, a.version
  ),
  queued AS (
    INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version)
    SELECT $2::uuid, '${OBJECT_ASSOCIATION_ENTITY}', w.id, 'upsert', w.version FROM written w
  )
  SELECT id::text, record_id::text AS "recordId", target_type AS "targetType", target_external_id AS "targetExternalId" FROM written`;

/** A typed record with its source's time as its own sourceUpdatedAt, unless it gives one. */
const withSourceTime = ({ record, sourceUpdatedAt }: TypedRecord): unknown =>
  sourceUpdatedAt !== undefined && isRecord(record) && isBlank(record.sourceUpdatedAt) ? { ...record, sourceUpdatedAt } : record;

const unknownType = (name: string): Rejection => ({ field: 'type', reason: `no object type '${name.slice(0, 64)}' in this workspace` });

const targetKey = (recordId: string, target: Target) => `${recordId}\u0000${target.targetType}\u0000${target.targetExternalId}`;

/** Object types and their records. Every change of a record or an association queues its activation in the same transaction. */
export class ObjectService {
  constructor(
    private readonly db: Db,
    private readonly idempotency: IdempotencyService,
  ) {}

  // ---------------------------------------------------------------------------------------------
  // Types

  async createType(workspaceId: string, input: ObjectTypeInput) {
    const definition: ObjectTypeDefinition = {
      ...input,
      brevoObjectType: input.brevoObjectType ?? input.name,
      attributes: withDefaults(input.attributes),
      associations: input.associations ?? [],
    };
    return this.db.$transaction(async (tx) => {
      await this.#checkDefinition(tx, workspaceId, definition);
      try {
        const row = await tx.objectType.create({ data: { workspaceId, ...this.#columns(definition) } });
        return toObjectType(row);
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          throw new AppError('conflict', `An object type named '${input.name}' already exists in this workspace.`);
        }
        throw error;
      }
    });
  }

  async searchTypes(workspaceId: string, query: { limit: number; cursor?: string | undefined }) {
    const rows = await this.db.objectType.findMany({
      where: { workspaceId, ...(query.cursor !== undefined ? { AND: [afterCursor('updatedAt', query.cursor)] } : {}) },
      orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
      take: query.limit + 1,
    });
    const { page, nextCursor } = toPage(rows, query.limit, (row) => row.updatedAt);
    return { data: page.map(toObjectType), nextCursor };
  }

  async getType(workspaceId: string, name: string) {
    return toObjectType(await this.#type(this.db, workspaceId, name));
  }

  /** Replaces the parts given; with live records, only additive changes (see changeRejections). */
  async updateType(workspaceId: string, name: string, patch: ObjectTypePatch) {
    return this.db.$transaction(async (tx) => {
      const current = await this.#type(tx, workspaceId, name, 'UPDATE');
      const before = definitionOf(current);
      const next: ObjectTypeDefinition = {
        ...before,
        ...(patch.brevoObjectType !== undefined ? { brevoObjectType: patch.brevoObjectType } : {}),
        ...(patch.attributes !== undefined ? { attributes: withDefaults(patch.attributes) } : {}),
        ...(patch.externalIdRule !== undefined ? { externalIdRule: patch.externalIdRule } : {}),
        ...(patch.associations !== undefined ? { associations: patch.associations } : {}),
      };
      await this.#checkDefinition(tx, workspaceId, next);
      if (await this.#hasLiveRecords(tx, current.id)) {
        const refused = changeRejections(before, next);
        if (refused.length > 0) {
          throw new AppError('conflict', `The type has records: only additive changes are accepted; see errors.`, { errors: bodyErrors(refused) });
        }
      }
      const unchanged = JSON.stringify(this.#columns(before)) === JSON.stringify(this.#columns(next));
      if (unchanged) return toObjectType(current);
      return toObjectType(await tx.objectType.update({ where: { id: current.id }, data: { ...this.#columns(next), version: { increment: 1 }, updatedAt: new Date() } }));
    });
  }

  /** Deletes a type that has no live records and that no other type allows associations with. */
  async deleteType(workspaceId: string, name: string) {
    return this.db.$transaction(async (tx) => {
      const row = await this.#type(tx, workspaceId, name, 'UPDATE');
      if (await this.#hasLiveRecords(tx, row.id)) throw new AppError('conflict', `The object type '${name}' has records: delete them first.`);
      const referring = await tx.objectType.findMany({ where: { workspaceId, associations: { has: name }, NOT: { id: row.id } }, select: { name: true } });
      if (referring.length > 0) {
        throw new AppError('conflict', `Object types ${referring.map((type) => `'${type.name}'`).join(', ')} allow associations with '${name}': change them first.`);
      }
      // Its soft-deleted records go with it; their deletions were queued when they were deleted.
      await tx.objectType.delete({ where: { id: row.id } });
      return { name, status: 'deleted' as const };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Records

  /**
   * Normalizes, resolves and writes each record on its own: one bad record never fails the others.
   * Each merges into the stored record (see merge.ts). A record is `unchanged` when neither its attributes nor its
   * associations changed, `stale` when all it carried is older than what is held and it added no association.
   */
  async upsertMany(ctx: WriteContext, typeName: string, records: readonly unknown[]): Promise<RecordOutcome[]> {
    // FOR SHARE: the type cannot change or go while its records are written.
    return this.db.$transaction(async (tx) => this.#write(tx, ctx, await this.#type(tx, ctx.workspaceId, typeName, 'SHARE'), records));
  }

  /**
   * Records of any types in the caller's transaction (a source's page, committing with its cursor).
   * A record of a type the workspace does not have is rejected like one that cannot be normalized.
   */
  async upsertTyped(tx: Tx, ctx: WriteContext, records: readonly TypedRecord[]): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = new Array(records.length);
    const byType = new Map<string, { record: unknown; index: number }[]>();
    records.forEach((typed, index) => {
      const group = byType.get(typed.type) ?? [];
      group.push({ record: withSourceTime(typed), index });
      byType.set(typed.type, group);
    });
    // Types locked in name order: two pages sharing types cannot deadlock on them.
    for (const [typeName, group] of [...byType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const type = await this.#findType(tx, ctx.workspaceId, typeName, 'SHARE');
      const written = type
        ? await this.#write(tx, ctx, type, group.map((item) => item.record))
        : group.map(() => ({ status: 'rejected' as const, id: null, externalId: null, errors: [unknownType(typeName)] }));
      written.forEach((outcome, i) => {
        const index = group[i]!.index;
        outcomes[index] = { ...outcome, index };
      });
    }
    return outcomes;
  }

  /** What upsertTyped would store, normalized, without writing (a mapping preview); associations as named, unresolved. */
  async normalizeTyped(workspaceId: string, region: string, records: readonly TypedRecord[]) {
    const names = [...new Set(records.map((record) => record.type))];
    const types = names.length === 0 ? [] : await this.db.objectType.findMany({ where: { workspaceId, name: { in: names } } });
    const definitions = new Map(types.map((type) => [type.name, definitionOf(type)]));
    return records.map((typed) => {
      const definition = definitions.get(typed.type);
      if (!definition) return { ok: false as const, rejections: [unknownType(typed.type)] };
      const result = normalizeObjectRecord(withSourceTime(typed), definition, region as CountryCode);
      if (!result.ok) return result;
      // Clearing them all shows as each attribute cleared: the preview's attributes are an object.
      const attributes = result.record.attributes ?? Object.fromEntries(definition.attributes.map((attribute) => [attribute.name, null]));
      return { ok: true as const, record: { type: typed.type, ...result.record, attributes, associations: result.associations } };
    });
  }

  async #write(tx: Tx, ctx: WriteContext, type: ObjectTypeRow, records: readonly unknown[]): Promise<RecordOutcome[]> {
    const definition = definitionOf(type);
    const outcomes: RecordOutcome[] = new Array(records.length);
    const accepted: { index: number; write: RecordWrite; targets: Target[] }[] = [];
    const arrivedAt = ctx.arrivedAt ?? new Date().toISOString();
    const normalized = records.map((record) => normalizeObjectRecord(record, definition, ctx.settings.defaultPhoneRegion as CountryCode));
    const references = normalized.flatMap((result) => (result.ok ? result.associations : []));
    const resolved = await this.#resolve(tx, ctx.workspaceId, references);
    let next = 0;
    normalized.forEach((result, index) => {
      if (!result.ok) {
        outcomes[index] = { index, status: 'rejected', id: null, externalId: null, errors: result.rejections };
        return;
      }
      const targets = result.associations.map(() => resolved[next++]!);
      const errors = targets.flatMap((target, i) => ('reason' in target ? [{ field: `associations.${i}.${target.field}`, reason: target.reason }] : []));
      if (errors.length > 0) outcomes[index] = { index, status: 'rejected', id: null, externalId: null, errors };
      else accepted.push({ index, write: { record: result.record, time: sourceTimeOf(result.record, arrivedAt), payload: records[index] }, targets: targets as Target[] });
    });
    const target = { workspaceId: ctx.workspaceId, typeId: type.id, definition, requestId: ctx.requestId };
    const written = await writeRecords(tx, target, accepted.map(({ write }) => write));
    written.forEach(({ status, id, skipped, errors }, i) => {
      const { index, write } = accepted[i]!;
      outcomes[index] = { index, status, id, externalId: status === 'rejected' ? null : write.record.externalId, ...(skipped.length > 0 ? { skipped } : {}), errors };
    });
    const links = accepted.flatMap(({ index, targets }) => {
      const recordId = outcomes[index]!.id;
      return recordId === null ? [] : targets.map((target) => ({ index, recordId, target }));
    });
    const added = await this.#addAssociations(tx, ctx.workspaceId, links.map(({ recordId, target }) => ({ recordId, target })));
    for (const link of links) {
      const outcome = outcomes[link.index]!;
      // Associations are only ever added by an upsert, so a new one is a change whatever the attributes' times.
      if ((outcome.status === 'unchanged' || outcome.status === 'stale') && added.has(targetKey(link.recordId, link.target))) outcome.status = 'updated';
    }
    return outcomes;
  }

  async upsert(ctx: WriteContext, typeName: string, input: unknown) {
    const [outcome] = await this.upsertMany(ctx, typeName, [input]);
    if (outcome!.status === 'rejected') {
      throw new AppError('validation', 'The record cannot be normalized; see errors.', { errors: bodyErrors(outcome!.errors) });
    }
    return { result: outcome!.status, skipped: outcome!.skipped ?? [], record: await this.get(ctx.workspaceId, typeName, outcome!.id!) };
  }

  async get(workspaceId: string, typeName: string, id: string) {
    const row = await this.db.objectRecord.findFirst({ where: { id, workspaceId, deletedAt: null, objectType: { name: typeName } } });
    if (!row) throw notFound('The object record');
    return (await this.#withAssociations(typeName, [row]))[0]!;
  }

  async lookup(workspaceId: string, typeName: string, externalId: string) {
    const row = await this.db.objectRecord.findFirst({ where: { workspaceId, externalId, deletedAt: null, objectType: { name: typeName } } });
    if (!row) throw notFound('The object record');
    return (await this.#withAssociations(typeName, [row]))[0]!;
  }

  /** Records in order of last update (oldest first), then ID: a stable order for cursors and polling. */
  async search(workspaceId: string, typeName: string, query: ObjectRecordSearch) {
    const type = await this.#type(this.db, workspaceId, typeName);
    const and: Prisma.ObjectRecordWhereInput[] = [];
    if (query.externalId !== undefined) and.push({ externalId: query.externalId });
    if (query.updatedSince !== undefined) and.push({ updatedAt: { gte: new Date(query.updatedSince) } });
    const contactExternalIds = [
      ...(query.contactExternalId !== undefined ? [query.contactExternalId] : []),
      ...(query.contactId !== undefined ? [await this.#contactExternalId(workspaceId, query.contactId)] : []),
    ];
    for (const externalId of contactExternalIds) and.push({ associations: { some: { targetType: CONTACT_TARGET, targetExternalId: externalId, deletedAt: null } } });
    if (query.cursor !== undefined) and.push(afterCursor('updatedAt', query.cursor));
    const rows = await this.db.objectRecord.findMany({
      where: { workspaceId, objectTypeId: type.id, deletedAt: null, AND: and },
      orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
      take: query.limit + 1,
    });
    const { page, nextCursor } = toPage(rows, query.limit, (row) => row.updatedAt);
    return { data: await this.#withAssociations(typeName, page), nextCursor };
  }

  /** Soft delete: hidden from reads, kept for audit, its deletion queued; upserting it again revives it. */
  async softDelete(ctx: WriteContext, typeName: string, id: string) {
    return this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ version: number }[]>`
        UPDATE object_records r SET deleted_at = now(), updated_at = now(), version = r.version + 1
        FROM object_types t
        WHERE r.id = ${id}::uuid AND r.workspace_id = ${ctx.workspaceId}::uuid AND r.deleted_at IS NULL AND t.id = r.object_type_id AND t.name = ${typeName}
        RETURNING r.version`;
      if (!rows[0]) throw notFound('The object record');
      await tx.activationOutbox.create({ data: { workspaceId: ctx.workspaceId, entityType: OBJECT_RECORD_ENTITY, entityId: id, operation: 'delete', entityVersion: rows[0].version } });
      return { id, status: 'deleted' as const };
    });
  }

  /**
   * Hard erasure (a record that holds personal data): removes the record, its versions and
   * associations, pending work and stored responses quoting it; activation gets its external ID.
   */
  async erase(ctx: WriteContext, typeName: string, id: string) {
    return this.db.$transaction(async (tx) => {
      const row = await tx.objectRecord.findFirst({ where: { id, workspaceId: ctx.workspaceId, objectType: { name: typeName } }, include: { associations: { select: { id: true } } } });
      if (!row) throw notFound('The object record');
      const entityIds = [id, ...row.associations.map((association) => association.id)];
      await tx.objectRecord.delete({ where: { id } });
      await tx.activationOutbox.deleteMany({ where: { workspaceId: ctx.workspaceId, entityType: { in: [OBJECT_RECORD_ENTITY, OBJECT_ASSOCIATION_ENTITY] }, entityId: { in: entityIds }, processedAt: null } });
      await tx.activationOutbox.create({
        data: { workspaceId: ctx.workspaceId, entityType: OBJECT_RECORD_ENTITY, entityId: id, operation: 'erase', entityVersion: row.version + 1, externalId: row.externalId },
      });
      await tx.deadLetter.deleteMany({ where: { workspaceId: ctx.workspaceId, entityType: { in: [OBJECT_RECORD_ENTITY, OBJECT_ASSOCIATION_ENTITY] }, entityId: { in: entityIds } } });
      await this.idempotency.forgetResponsesMentioning(ctx.workspaceId, id, tx);
      return { id, status: 'erased' as const };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Associations

  /** Adds associations of one record; each reference gets its own result. */
  async associate(ctx: WriteContext, typeName: string, id: string, references: readonly unknown[]): Promise<AssociationOutcome[]> {
    return this.#changeAssociations(ctx, typeName, id, references, async (tx, recordId, targets) => {
      const added = await this.#addAssociations(tx, ctx.workspaceId, targets.map((target) => ({ recordId, target })));
      return { changed: added, status: 'created' };
    });
  }

  /** Removes associations of one record (soft: activation reads what to remove in Brevo). */
  async dissociate(ctx: WriteContext, typeName: string, id: string, references: readonly unknown[]): Promise<AssociationOutcome[]> {
    return this.#changeAssociations(ctx, typeName, id, references, async (tx, recordId, targets) => {
      const rows = await tx.$queryRaw<{ id: string; target_type: string; target_external_id: string }[]>`
        WITH removed AS (
          UPDATE object_associations a SET deleted_at = now(), updated_at = now(), version = a.version + 1
          FROM jsonb_to_recordset(${JSON.stringify(targets)}::jsonb) AS t("targetType" text, "targetExternalId" text)
          WHERE a.record_id = ${recordId}::uuid AND a.target_type = t."targetType" AND a.target_external_id = t."targetExternalId" AND a.deleted_at IS NULL
          RETURNING a.id, a.target_type, a.target_external_id, a.version
        ),
        queued AS (
          INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version)
          SELECT ${ctx.workspaceId}::uuid, ${OBJECT_ASSOCIATION_ENTITY}, id, 'delete', version FROM removed
        )
        SELECT id::text, target_type, target_external_id FROM removed`;
      return { changed: new Map(rows.map((row) => [targetKey(recordId, { targetType: row.target_type, targetExternalId: row.target_external_id }), row.id])), status: 'removed' };
    });
  }

  async #changeAssociations(
    ctx: WriteContext,
    typeName: string,
    id: string,
    references: readonly unknown[],
    apply: (tx: Tx, recordId: string, targets: Target[]) => Promise<{ changed: Map<string, string>; status: 'created' | 'removed' }>,
  ): Promise<AssociationOutcome[]> {
    return this.db.$transaction(async (tx) => {
      const type = await this.#type(tx, ctx.workspaceId, typeName, 'SHARE');
      // The row lock orders concurrent association changes of one record against its deletion.
      const [record] = await tx.$queryRaw<{ id: string }[]>`
        SELECT id::text FROM object_records WHERE id = ${id}::uuid AND object_type_id = ${type.id}::uuid AND deleted_at IS NULL FOR UPDATE`;
      if (!record) throw notFound('The object record');
      const definition = definitionOf(type);
      const parsed = references.map((reference, index) => {
        const rejections = new Rejections([], `associations.${index}`);
        return { reference: parseAssociation(reference, definition, rejections), rejections: rejections.list };
      });
      const resolved = await this.#resolve(tx, ctx.workspaceId, parsed.flatMap((item) => (item.reference ? [item.reference] : [])));
      let next = 0;
      const targets = parsed.map((item, index): Target | Rejection[] => {
        if (!item.reference) return item.rejections;
        const target = resolved[next++]!;
        return 'reason' in target ? [{ field: `associations.${index}.${target.field}`, reason: target.reason }] : target;
      });
      const valid = targets.filter((target): target is Target => !Array.isArray(target));
      const { changed, status } = valid.length > 0 ? await apply(tx, record.id, valid) : { changed: new Map<string, string>(), status: 'created' as const };
      const reported = new Set<string>();
      const existing = await tx.objectAssociation.findMany({ where: { recordId: record.id }, select: { id: true, targetType: true, targetExternalId: true } });
      const ids = new Map(existing.map((row) => [targetKey(record.id, row), row.id]));
      return targets.map((target, index): AssociationOutcome => {
        if (Array.isArray(target)) return { index, status: 'rejected', id: null, errors: target };
        const key = targetKey(record.id, target);
        // A target named twice changes once; its later mention answers unchanged.
        const first = !reported.has(key);
        reported.add(key);
        return { index, status: first && changed.has(key) ? status : 'unchanged', id: ids.get(key) ?? null, errors: [] };
      });
    });
  }

  /** Inserts or revives associations; answers the keys of those that changed, with their IDs. */
  async #addAssociations(tx: Tx, workspaceId: string, links: { recordId: string; target: Target }[]): Promise<Map<string, string>> {
    if (links.length === 0) return new Map();
    const input = links.map(({ recordId, target }) => ({ record_id: recordId, target_type: target.targetType, target_external_id: target.targetExternalId }));
    const rows = await tx.$queryRawUnsafe<(Target & { id: string; recordId: string })[]>(ADD_ASSOCIATIONS, JSON.stringify(input), workspaceId);
    return new Map(rows.map((row) => [targetKey(row.recordId, row), row.id]));
  }

  /**
   * Each reference's stored other end, or why it has none. By external ID an end is accepted even
   * when it is not in Tajo yet: the association waits for it (pending), as activation waits for
   * both ends to be in Brevo. By Tajo ID or email it must exist now: that is all that names it.
   */
  async #resolve(tx: Tx, workspaceId: string, references: readonly AssociationReference[]): Promise<(Target | { field: string; reason: string })[]> {
    const ids = references.flatMap((reference) => (reference.id !== undefined && UUID.test(reference.id) ? [reference.id.toLowerCase()] : []));
    const emails = references.flatMap((reference) => (reference.email !== undefined ? [reference.email] : []));
    const contacts = ids.length + emails.length === 0 ? [] : await tx.contact.findMany({
      where: { workspaceId, deletedAt: null, OR: [{ id: { in: ids } }, { email: { in: emails } }] },
      select: { id: true, email: true, externalId: true },
      orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
    });
    const records = ids.length === 0 ? [] : await tx.objectRecord.findMany({
      where: { workspaceId, deletedAt: null, id: { in: ids } },
      select: { id: true, externalId: true, objectType: { select: { name: true } } },
    });
    const contactById = new Map(contacts.map((contact) => [contact.id, contact.externalId]));
    // The most recently updated contact of an email wins, as for contact lookups (later rows overwrite).
    const contactByEmail = new Map(contacts.flatMap((contact) => (contact.email ? [[contact.email, contact.externalId] as const] : [])));
    const recordById = new Map(records.map((record) => [record.id, record]));
    return references.map((reference) => {
      const targetType = reference.objectType;
      if (reference.externalId !== undefined) return { targetType, targetExternalId: reference.externalId };
      if (reference.email !== undefined) {
        const externalId = contactByEmail.get(reference.email);
        return externalId ? { targetType, targetExternalId: externalId } : { field: 'email', reason: 'no contact with this email in the workspace' };
      }
      const id = reference.id!.toLowerCase();
      if (!UUID.test(id)) return { field: 'id', reason: 'not a Tajo ID' };
      if (targetType === CONTACT_TARGET) {
        const externalId = contactById.get(id);
        return externalId ? { targetType, targetExternalId: externalId } : { field: 'id', reason: 'no contact with this ID in the workspace' };
      }
      const record = recordById.get(id);
      return record && record.objectType.name === targetType
        ? { targetType, targetExternalId: record.externalId }
        : { field: 'id', reason: `no ${targetType} record with this ID in the workspace` };
    });
  }

  /** Records as the API answers them, each with its live associations and whether their other end is in Tajo. */
  async #withAssociations(typeName: string, rows: { id: string; externalId: string; attributes: Prisma.JsonValue; version: number; createdAt: Date; updatedAt: Date }[]) {
    const associations = rows.length === 0 ? [] : await this.db.$queryRaw<{ id: string; recordId: string; objectType: string; externalId: string; targetId: string | null; createdAt: Date }[]>`
      SELECT a.id::text, a.record_id::text AS "recordId", a.target_type AS "objectType", a.target_external_id AS "externalId",
             COALESCE(c.id, r.id)::text AS "targetId", a.created_at AS "createdAt"
      FROM object_associations a
      LEFT JOIN contacts c ON a.target_type = ${CONTACT_TARGET} AND c.workspace_id = a.workspace_id AND c.external_id = a.target_external_id AND c.deleted_at IS NULL
      LEFT JOIN object_types t ON a.target_type <> ${CONTACT_TARGET} AND t.workspace_id = a.workspace_id AND t.name = a.target_type
      LEFT JOIN object_records r ON r.object_type_id = t.id AND r.external_id = a.target_external_id AND r.deleted_at IS NULL
      WHERE a.record_id = ANY(${rows.map((row) => row.id)}::uuid[]) AND a.deleted_at IS NULL
      ORDER BY a.target_type, a.target_external_id`;
    return rows.map((row) => ({
      id: row.id,
      objectType: typeName,
      externalId: row.externalId,
      attributes: row.attributes as Record<string, ObjectValue>,
      associations: associations
        .filter((association) => association.recordId === row.id)
        .map(({ recordId: _recordId, createdAt, ...association }) => ({ ...association, pending: association.targetId === null, createdAt: createdAt.toISOString() })),
      version: row.version,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    }));
  }

  async #contactExternalId(workspaceId: string, contactId: string): Promise<string> {
    const contact = await this.db.contact.findFirst({ where: { id: contactId, workspaceId, deletedAt: null }, select: { externalId: true } });
    if (!contact) throw notFound('The contact');
    return contact.externalId;
  }

  async #type(client: Tx, workspaceId: string, name: string, lock?: 'SHARE' | 'UPDATE'): Promise<ObjectTypeRow> {
    const row = await this.#findType(client, workspaceId, name, lock);
    if (!row) throw notFound('The object type');
    return row;
  }

  async #findType(client: Tx, workspaceId: string, name: string, lock?: 'SHARE' | 'UPDATE'): Promise<ObjectTypeRow | null> {
    if (lock) {
      // Prisma has no row locks: take it first, then read the row through the model.
      const locked = await client.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM object_types WHERE workspace_id = $1::uuid AND name = $2 FOR ${lock}`, workspaceId, name);
      if (locked.length === 0) return null;
    }
    return client.objectType.findFirst({ where: { workspaceId, name } });
  }

  async #hasLiveRecords(tx: Tx, typeId: string): Promise<boolean> {
    return (await tx.objectRecord.findFirst({ where: { objectTypeId: typeId, deletedAt: null }, select: { id: true } })) !== null;
  }

  async #checkDefinition(tx: Tx, workspaceId: string, definition: ObjectTypeDefinition) {
    const others = await tx.objectType.findMany({ where: { workspaceId, NOT: { name: definition.name } }, select: { name: true } });
    const rejections = definitionRejections(definition, new Set(others.map((type) => type.name)));
    if (rejections.length > 0) throw new AppError('validation', 'The object type definition is invalid; see errors.', { errors: bodyErrors(rejections) });
  }

  #columns(definition: ObjectTypeDefinition) {
    return {
      name: definition.name,
      brevoObjectType: definition.brevoObjectType,
      attributes: definition.attributes as unknown as Prisma.InputJsonValue,
      externalIdRule: definition.externalIdRule as unknown as Prisma.InputJsonValue,
      associations: definition.associations,
    };
  }
}
