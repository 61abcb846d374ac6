import { z } from 'zod';
import { ZCursor, ZLimit } from '../http/schemas.ts';

const ZListName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .meta({ description: 'Unique in the workspace (1 to 100 characters, trimmed).', example: 'VIP customers' });

export const ZListInput = z
  .object({ name: ZListName })
  .strict()
  .meta({ id: 'ListDefinition', description: 'A list to create, or the new name of one.', example: { name: 'VIP customers' } });

export const ZList = z
  .object({
    id: z.uuid().meta({ description: 'Tajo ID.' }),
    name: z.string(),
    memberCount: z.number().int().meta({ description: 'Contacts in the list.' }),
    version: z.number().int().meta({ description: 'Goes up by one with every rename.' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: 'List',
    description: 'A named set of contacts, activated in Brevo as a list.',
    example: {
      id: '3b1f6c2a-8d4e-4f0a-9c7b-2e5d1a6f8b90',
      name: 'VIP customers',
      memberCount: 2,
      version: 1,
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:00.000Z',
    },
  });

export const ZListSearchQuery = z.object({
  name: z.string().min(1).max(100).optional().meta({ description: 'Part of the name, case-insensitive.' }),
  limit: ZLimit,
  cursor: ZCursor,
});

export const ZListPage = z
  .object({
    data: z.array(ZList),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .meta({ id: 'ListPage' });

export const MAX_MEMBERS_PER_REQUEST = 1000;

/** Checked one by one by the service, so one bad reference never fails the batch. */
export const ZContactReference = z
  .object({
    contactId: z.string().optional().meta({ description: 'Tajo ID of the contact.' }),
    externalId: z.string().optional().meta({ description: 'External ID of the contact.' }),
  })
  .meta({ id: 'ContactReference', description: 'A contact, by exactly one of its Tajo ID or its external ID.' });

export const ZMembershipRequest = z
  .object({ contacts: z.array(ZContactReference).min(1).max(MAX_MEMBERS_PER_REQUEST) })
  .strict()
  .meta({
    id: 'ListMembershipRequest',
    description: `Up to ${MAX_MEMBERS_PER_REQUEST} contacts. Each is added (or removed) or rejected on its own.`,
    example: { contacts: [{ externalId: 'salesforce:0035e00000Bx1QkAAJ' }, { contactId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31' }, { externalId: 'unknown:1' }] },
  });

export const MEMBERSHIP_STATUSES = ['added', 'already_member', 'removed', 'not_member', 'rejected'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

export const ZMembershipResult = z
  .object({
    index: z.number().int().meta({ description: 'Position of the reference in the request.' }),
    status: z.enum(MEMBERSHIP_STATUSES),
    contactId: z.uuid().nullable().meta({ description: 'Tajo ID of the contact; null when rejected.' }),
    reason: z.string().nullable().meta({ description: 'Why the reference was rejected (null otherwise).' }),
  })
  .meta({ id: 'ListMembershipResult' });

export const ZMembershipBatchResult = z
  .object({
    results: z.array(ZMembershipResult),
    counts: z.partialRecord(z.enum(MEMBERSHIP_STATUSES), z.number().int()).meta({ description: 'How many references got each status.' }),
  })
  .meta({
    id: 'ListMembershipBatchResult',
    example: {
      results: [
        { index: 0, status: 'added', contactId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31', reason: null },
        { index: 1, status: 'already_member', contactId: '5c2e8a1b-7f3d-4b6e-8a9c-1d0e2f3a4b5c', reason: null },
        { index: 2, status: 'rejected', contactId: null, reason: 'no contact with this external ID in the workspace' },
      ],
      counts: { added: 1, already_member: 1, rejected: 1 },
    },
  });
