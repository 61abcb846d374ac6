import type { Db } from '../db/client.ts';
import { Prisma, type List as ListRow } from '../generated/prisma/client.ts';
import { AppError, notFound } from '../errors/problem.ts';
import { afterCursor, toPage } from '../http/cursor.ts';
import { resolveContactReferences, type ContactReference } from '../contacts/references.ts';
import type { MembershipStatus } from './schemas.ts';

/** Outbox entity types: a list itself (upsert | delete), and its membership as a whole (sync). */
export const LIST_ENTITY = 'list';
export const LIST_MEMBERSHIP_ENTITY = 'list_membership';

export interface ListSearch {
  name?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface MembershipOutcome {
  index: number;
  status: MembershipStatus;
  contactId: string | null;
  reason: string | null;
}

type Tx = Prisma.TransactionClient;
type ListWithCount = ListRow & { _count: { members: number } };

/** Members whose contact is deleted stay (a revived contact is back in its lists) but are not counted. */
const withMemberCount = { _count: { select: { members: { where: { contact: { deletedAt: null } } } } } } as const;

export const toList = (row: ListWithCount) => ({
  id: row.id,
  name: row.name,
  memberCount: row._count.members,
  version: row.version,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Queues a list's membership for activation: the activator applies whatever differs from Brevo. */
export const queueMembershipSync = (tx: Tx, workspaceId: string, list: { id: string; version: number }) =>
  tx.activationOutbox.create({ data: { workspaceId, entityType: LIST_MEMBERSHIP_ENTITY, entityId: list.id, operation: 'sync', entityVersion: list.version } });

/** Lists and their memberships. Every change queues its activation in the same transaction. */
export class ListService {
  constructor(private readonly db: Db) {}

  async create(workspaceId: string, name: string) {
    return this.#uniqueName(name, () =>
      this.db.$transaction(async (tx) => {
        const row = await tx.list.create({ data: { workspaceId, name }, include: withMemberCount });
        await queueList(tx, row, 'upsert');
        return toList(row);
      }),
    );
  }

  async get(workspaceId: string, id: string) {
    const row = await this.db.list.findFirst({ where: { id, workspaceId }, include: withMemberCount });
    if (!row) throw notFound('The list');
    return toList(row);
  }

  /** Renames the list; the same name again changes nothing and queues nothing. */
  async rename(workspaceId: string, id: string, name: string) {
    return this.#uniqueName(name, () =>
      this.db.$transaction(async (tx) => {
        const current = await tx.list.findFirst({ where: { id, workspaceId } });
        if (!current) throw notFound('The list');
        if (current.name === name) return toList(await tx.list.findUniqueOrThrow({ where: { id }, include: withMemberCount }));
        const row = await tx.list.update({ where: { id }, data: { name, version: { increment: 1 }, updatedAt: new Date() }, include: withMemberCount });
        await queueList(tx, row, 'upsert');
        return toList(row);
      }),
    );
  }

  /** Deletes the list and its memberships (not the contacts); the Brevo list is deleted too. */
  async delete(workspaceId: string, id: string) {
    return this.db.$transaction(async (tx) => {
      const row = await tx.list.findFirst({ where: { id, workspaceId } });
      if (!row) throw notFound('The list');
      await tx.list.delete({ where: { id } });
      await queueList(tx, { ...row, version: row.version + 1 }, 'delete');
      return { id, status: 'deleted' as const };
    });
  }

  async search(workspaceId: string, query: ListSearch) {
    const where: Prisma.ListWhereInput = { workspaceId };
    if (query.name !== undefined) where.name = { contains: query.name, mode: 'insensitive' };
    if (query.cursor !== undefined) where.AND = [afterCursor('updatedAt', query.cursor)];
    const rows = await this.db.list.findMany({ where, orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }], take: query.limit + 1, include: withMemberCount });
    const { page, nextCursor } = toPage(rows, query.limit, (row) => row.updatedAt);
    return { data: page.map(toList), nextCursor };
  }

  addMembers(workspaceId: string, listId: string, references: readonly ContactReference[]) {
    return this.#changeMembers(workspaceId, listId, references, { done: 'added', unchanged: 'already_member' }, async (tx, contactIds) => {
      const rows = await tx.$queryRaw<{ contact_id: string }[]>`
        INSERT INTO list_memberships (list_id, contact_id, workspace_id)
        SELECT ${listId}::uuid, contact_id, ${workspaceId}::uuid FROM unnest(${contactIds}::uuid[]) AS contact_id
        ON CONFLICT DO NOTHING
        RETURNING contact_id::text`;
      return new Set(rows.map((row) => row.contact_id));
    });
  }

  removeMembers(workspaceId: string, listId: string, references: readonly ContactReference[]) {
    return this.#changeMembers(workspaceId, listId, references, { done: 'removed', unchanged: 'not_member' }, async (tx, contactIds) => {
      const rows = await tx.$queryRaw<{ contact_id: string }[]>`
        DELETE FROM list_memberships WHERE list_id = ${listId}::uuid AND contact_id = ANY(${contactIds}::uuid[])
        RETURNING contact_id::text`;
      return new Set(rows.map((row) => row.contact_id));
    });
  }

  /**
   * Resolves each reference to a live contact of the workspace (or rejects it, with its reason),
   * applies the change to the resolved ones and queues the list's sync when anything changed.
   * A contact named twice gets its change once; its later mention answers as unchanged.
   */
  async #changeMembers(
    workspaceId: string,
    listId: string,
    references: readonly ContactReference[],
    { done, unchanged }: { done: MembershipStatus; unchanged: MembershipStatus },
    apply: (tx: Tx, contactIds: string[]) => Promise<Set<string>>,
  ): Promise<MembershipOutcome[]> {
    return this.db.$transaction(async (tx) => {
      // The row lock orders concurrent changes of one list against its deletion.
      const [list] = await tx.$queryRaw<{ id: string; version: number }[]>`
        SELECT id::text, version FROM lists WHERE id = ${listId}::uuid AND workspace_id = ${workspaceId}::uuid FOR UPDATE`;
      if (!list) throw notFound('The list');
      const resolved = await resolveContactReferences(tx, workspaceId, references);
      const contactIds = [...new Set(resolved.flatMap((r) => (typeof r === 'string' ? [r] : [])))];
      const changed = contactIds.length > 0 ? await apply(tx, contactIds) : new Set<string>();
      if (changed.size > 0) await queueMembershipSync(tx, workspaceId, list);
      const reported = new Set<string>();
      return resolved.map((r, index): MembershipOutcome => {
        if (typeof r !== 'string') return { index, status: 'rejected', contactId: null, reason: r.reason };
        const first = !reported.has(r);
        reported.add(r);
        return { index, status: first && changed.has(r) ? done : unchanged, contactId: r, reason: null };
      });
    });
  }

  async #uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new AppError('conflict', `A list named '${name}' already exists in this workspace.`);
      }
      throw error;
    }
  }
}

/** Queues a list's creation or rename (upsert), or its deletion, for activation. */
export const queueList = (tx: Tx, list: { id: string; workspaceId: string; version: number }, operation: 'upsert' | 'delete') =>
  tx.activationOutbox.create({ data: { workspaceId: list.workspaceId, entityType: LIST_ENTITY, entityId: list.id, operation, entityVersion: list.version } });
