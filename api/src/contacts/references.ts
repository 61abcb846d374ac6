import type { Prisma } from '../generated/prisma/client.ts';

/** A contact named in a request by exactly one of its Tajo ID or its external ID. */
export interface ContactReference {
  contactId?: string | undefined;
  externalId?: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Each reference's contact ID, or why it names no live contact of the workspace. */
export async function resolveContactReferences(tx: Prisma.TransactionClient, workspaceId: string, references: readonly ContactReference[]): Promise<(string | { reason: string })[]> {
  const ids = references.flatMap((r) => (r.contactId !== undefined && UUID.test(r.contactId) ? [r.contactId.toLowerCase()] : []));
  const externalIds = references.flatMap((r) => (r.externalId ? [r.externalId] : []));
  const contacts = await tx.contact.findMany({
    where: { workspaceId, deletedAt: null, OR: [{ id: { in: ids } }, { externalId: { in: externalIds } }] },
    select: { id: true, externalId: true },
  });
  const byId = new Set(contacts.map((c) => c.id));
  const byExternalId = new Map(contacts.map((c) => [c.externalId, c.id]));
  return references.map((r) => {
    if ((r.contactId === undefined) === (r.externalId === undefined)) return { reason: 'give exactly one of contactId or externalId' };
    if (r.contactId !== undefined) {
      if (!UUID.test(r.contactId)) return { reason: 'contactId is not a Tajo ID' };
      return byId.has(r.contactId.toLowerCase()) ? r.contactId.toLowerCase() : { reason: 'no contact with this ID in the workspace' };
    }
    return byExternalId.get(r.externalId!) ?? { reason: 'no contact with this external ID in the workspace' };
  });
}
