import type { z } from 'zod';
import type { Source as SourceRow } from '../generated/prisma/client.ts';
import { ZDeveloperApiConfig, ZEventStreamConfig, ZMcpConfig } from './schemas.ts';

/** A source's kind with its settings, read back from the row (the API validated them on the way in). */
export type SourceSettings =
  | { kind: 'event_stream'; eventStream: z.infer<typeof ZEventStreamConfig> }
  | { kind: 'developer_api'; developerApi: z.infer<typeof ZDeveloperApiConfig> }
  | { kind: 'mcp'; mcp: z.infer<typeof ZMcpConfig> };

export function sourceSettings(source: Pick<SourceRow, 'kind' | 'config'>): SourceSettings {
  switch (source.kind) {
    case 'event_stream':
      return { kind: 'event_stream', eventStream: ZEventStreamConfig.parse(source.config) };
    case 'developer_api':
      return { kind: 'developer_api', developerApi: ZDeveloperApiConfig.parse(source.config) };
    case 'mcp':
      return { kind: 'mcp', mcp: ZMcpConfig.parse(source.config) };
    default:
      throw new Error(`unknown source kind '${source.kind}'`);
  }
}
