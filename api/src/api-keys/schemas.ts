import { z } from 'zod';
import { SCOPES } from '../auth/scopes.ts';

export const ZScope = z.enum(SCOPES).meta({ description: 'read < write < admin; each includes the ones before it.' });

const API_KEY_EXAMPLE = {
  id: '0c2d9a6e-3c1b-4a8e-9f57-6d1b2f3e4a5c',
  name: 'Workato production',
  prefix: 'tajo_Xk2f9Qa',
  scopes: ['write'],
  rotatedFromId: null,
  createdAt: '2026-11-23T10:00:00.000Z',
  expiresAt: null,
  revokedAt: null,
};

export const ZApiKey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().meta({ description: 'The first characters of the key, to tell keys apart.' }),
    scopes: z.array(z.string()),
    rotatedFromId: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiKey', example: API_KEY_EXAMPLE });

export const ZNewApiKey = z
  .object({
    name: z.string().trim().min(1).max(200),
    scopes: z.array(ZScope).min(1),
    expiresAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'When the key stops working; never when absent.' }),
  })
  .strict()
  .meta({ id: 'NewApiKey', example: { name: 'Workato production', scopes: ['write'] } });

export const ZRotateApiKey = z
  .object({
    oldKeyExpiresInSeconds: z
      .number()
      .int()
      .min(0)
      .max(90 * 24 * 3600)
      .optional()
      .meta({ description: 'Let the old key work this much longer; by default it stays valid until revoked.' }),
  })
  .strict()
  .meta({ id: 'RotateApiKey', example: { oldKeyExpiresInSeconds: 86400 } });

export const ZCreatedApiKey = z
  .object({
    apiKey: ZApiKey,
    secret: z.string().meta({ description: 'The key itself, shown only in this response: store it now. A replay of this request (same Idempotency-Key) does not show it again.' }),
  })
  .meta({
    id: 'CreatedApiKey',
    example: {
      apiKey: API_KEY_EXAMPLE,
      secret: 'tajo_Xk2f9QaLw3…',
    },
  });
