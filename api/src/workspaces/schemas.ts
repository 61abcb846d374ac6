import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';

export const ZPhoneRegion = z
  .string()
  .transform((value) => value.toUpperCase())
  .refine((value) => isSupportedCountry(value), { message: 'not an ISO 3166-1 alpha-2 region with a phone numbering plan' })
  .meta({ description: 'ISO 3166-1 alpha-2 region for phone numbers written without a country code.', example: 'GB' });

export const ZSourceName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^:]+$/, 'must not contain ":" (it separates source and vendor ID in external IDs)')
  .meta({ description: 'Source name for records that do not name their own.', example: 'workato' });

export const ZWorkspace = z
  .object({
    id: z.uuid(),
    name: z.string(),
    sourceName: z.string(),
    defaultPhoneRegion: z.string(),
    createdAt: z.iso.datetime(),
    apiKey: z
      .object({ id: z.uuid(), name: z.string(), scopes: z.array(z.string()) })
      .meta({ description: 'The key that made this request.' }),
  })
  .meta({
    id: 'Workspace',
    description: 'The workspace (tenant) the API key belongs to.',
    example: {
      id: '5b0f7a52-6a1f-4f55-9d4e-1f0e7c1f2a10',
      name: 'Acme Marketing',
      sourceName: 'workato',
      defaultPhoneRegion: 'US',
      createdAt: '2026-11-23T10:00:00.000Z',
      apiKey: { id: '0c2d9a6e-3c1b-4a8e-9f57-6d1b2f3e4a5c', name: 'Workato production', scopes: ['write'] },
    },
  });

export const ZWorkspaceSettingsPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    sourceName: ZSourceName.optional(),
    defaultPhoneRegion: ZPhoneRegion.optional(),
  })
  .strict()
  .meta({ id: 'WorkspaceSettingsPatch', example: { defaultPhoneRegion: 'GB', sourceName: 'workato' } });
