import type { Db } from '../db/client.ts';
import { Prisma, type Source as SourceRow } from '../generated/prisma/client.ts';
import { AppError, notFound, type ProblemCategory } from '../errors/problem.ts';
import { afterCursor, toPage } from '../http/cursor.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { newWebhookSecret } from '../security/webhook-secrets.ts';
import { normalizeContact } from '../contacts/normalize.ts';
import { normalizeEvent } from '../events/normalize.ts';
import type { WorkspaceSettings } from '../auth/service.ts';
import { redactUrl, WorkatoError } from '../workato/client.ts';
import type { WorkatoConnections } from './connections.ts';
import { CompiledMapping, DEFAULT_MAPPING, type SourceMapping } from './mapping.ts';
import { readerFor } from './readers.ts';
import { sourceSettings } from './settings.ts';
import { paginationOf, type NewSource, type SmokeTestFailure, type SourceUpdate } from './schemas.ts';
import { contactInputOf } from './ingest.ts';
import type { ObjectService } from '../objects/service.ts';

const SMOKE_TEST_TIMEOUT_MS = 15_000;

export interface SmokeTestResult {
  status: 'passed' | 'failed';
  failure: { category: SmokeTestFailure; detail: string } | null;
}

const SMOKE_PROBLEM: Record<SmokeTestFailure, ProblemCategory> = {
  authentication: 'authentication',
  permission: 'permission',
  missing_tool: 'not_found',
  not_found: 'not_found',
  unreachable: 'vendor_unavailable',
  rate_limited: 'rate_limited',
  invalid_response: 'vendor_unavailable',
};

export function toSource(row: SourceRow) {
  const settings = sourceSettings(row);
  const failure = row.smokeTestFailure as SmokeTestResult['failure'];
  return {
    id: row.id,
    name: row.name,
    kind: settings.kind,
    dataCenter: row.dataCenter as NewSource['dataCenter'],
    ...(settings.kind === 'event_stream' ? { eventStream: settings.eventStream } : {}),
    ...(settings.kind === 'developer_api' ? { developerApi: settings.developerApi } : {}),
    ...(settings.kind === 'mcp' ? { mcp: { ...settings.mcp, serverUrl: row.mcpUrlRedacted ?? '' } } : {}),
    hasToken: row.tokenCiphertext !== null,
    mapping: row.mapping as SourceMapping,
    mappingVersion: row.mappingVersion,
    smokeTest: {
      status: row.smokeTestStatus as 'untested' | 'passed' | 'failed',
      testedAt: row.smokeTestedAt?.toISOString() ?? null,
      failure: failure ?? null,
    },
    backfillEnabled: row.backfillEnabled,
    hintsEnabled: row.hintsEnabled,
    lastRateLimit: row.rateLimitedAt && row.rateLimit ? { ...(row.rateLimit as { endpoint: string; retryAfterMs: number | null }), at: row.rateLimitedAt.toISOString() } : null,
    hintPath: `/v1/sources/${row.id}/hints`,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A smoke-test failure as a problem: 422, typed by what failed, with the failure in the body. */
function smokeTestProblem(result: SmokeTestResult, refused: 'Backfill stays' | 'Webhook hints stay'): AppError {
  const failure = result.failure!;
  return new AppError(SMOKE_PROBLEM[failure.category], `The credential smoke test failed (${failure.category}): ${failure.detail.replace(/\.?$/, '.')} ${refused} refused until it passes.`, {
    status: 422,
    extensions: { smokeTestFailure: failure.category },
  });
}

/**
 * Sources: where Tajo reads Workato. Credentials are sealed at rest; every change of credentials or
 * configuration runs the smoke test again, and backfills and webhook hints stay refused until it passes.
 */
export class SourceService {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly connections: WorkatoConnections,
    private readonly objects: ObjectService,
  ) {}

  async create(workspaceId: string, input: NewSource) {
    if (input.hintsEnabled && input.kind === 'event_stream') throw noHintsForTopics();
    const config =
      input.kind === 'event_stream' ? input.eventStream
      : input.kind === 'developer_api' ? { ...input.developerApi, pagination: paginationOf(input.developerApi.resource.kind) }
      : input.mcp;
    const draft = {
      workspaceId,
      name: input.name,
      kind: input.kind,
      dataCenter: input.dataCenter,
      config: config as Prisma.InputJsonObject,
      tokenCiphertext: input.token ? this.secrets.seal(input.token) : null,
      mcpUrlCiphertext: input.kind === 'mcp' ? this.secrets.seal(input.serverUrl) : null,
      mcpUrlRedacted: input.kind === 'mcp' ? redactUrl(input.serverUrl) : null,
      mapping: (input.mapping ?? DEFAULT_MAPPING) as Prisma.InputJsonObject,
    };
    const smoke = await this.runSmokeTest({ ...draft, config: draft.config as Prisma.JsonValue } as SourceRow);
    const enabling = input.backfillEnabled || input.hintsEnabled;
    if (enabling && smoke.status === 'failed') throw smokeTestProblem(smoke, input.backfillEnabled ? 'Backfill stays' : 'Webhook hints stay');
    try {
      const row = await this.db.$transaction(async (tx) => {
        const created = await tx.source.create({
          data: { ...draft, ...smokeColumns(smoke), backfillEnabled: input.backfillEnabled, hintsEnabled: input.hintsEnabled },
        });
        await tx.sourceHintSecret.create({ data: { sourceId: created.id, secretCiphertext: this.secrets.seal(newWebhookSecret()) } });
        return created;
      });
      return toSource(row);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new AppError('conflict', `A source named '${input.name}' already exists in this workspace.`);
      }
      throw error;
    }
  }

  async update(workspaceId: string, id: string, input: SourceUpdate) {
    const current = await this.row(workspaceId, id);
    const settings = sourceSettings(current);
    if (input.hintsEnabled && settings.kind === 'event_stream') throw noHintsForTopics();
    if (input.serverUrl !== undefined && settings.kind !== 'mcp') throw new AppError('validation', 'Only an MCP source has a server URL.');
    const sectionOf = { event_stream: input.eventStream, developer_api: input.developerApi, mcp: input.mcp }[settings.kind];
    const foreign = (['eventStream', 'developerApi', 'mcp'] as const).filter((key) => input[key] !== undefined && key !== sectionKey(settings.kind));
    if (foreign.length > 0) throw new AppError('validation', `A ${settings.kind} source has no ${foreign.join(', ')} settings.`);

    const currentConfig = settings.kind === 'event_stream' ? settings.eventStream : settings.kind === 'developer_api' ? settings.developerApi : settings.mcp;
    const next: SourceRow = {
      ...current,
      ...(input.dataCenter ? { dataCenter: input.dataCenter } : {}),
      ...(input.token ? { tokenCiphertext: this.secrets.seal(input.token) } : {}),
      ...(input.serverUrl ? { mcpUrlCiphertext: this.secrets.seal(input.serverUrl), mcpUrlRedacted: redactUrl(input.serverUrl) } : {}),
      config: sectionOf ? (withPagination({ ...currentConfig, ...sectionOf }) as Prisma.JsonValue) : current.config,
    };
    // Re-validates the merged settings (a partial change cannot leave them inconsistent).
    sourceSettings(next);
    const reachChanged = Boolean(input.dataCenter || input.token || input.serverUrl || sectionOf);
    const smoke = reachChanged || current.smokeTestStatus !== 'passed' ? await this.runSmokeTest(next) : null;
    const passed = smoke ? smoke.status === 'passed' : true;
    const backfillEnabled = input.backfillEnabled ?? current.backfillEnabled;
    const hintsEnabled = input.hintsEnabled ?? current.hintsEnabled;
    if ((input.backfillEnabled || input.hintsEnabled) && !passed) throw smokeTestProblem(smoke!, input.backfillEnabled ? 'Backfill stays' : 'Webhook hints stay');
    const mappingChanged = input.mapping !== undefined && JSON.stringify(input.mapping) !== JSON.stringify(current.mapping);
    const row = await this.db.source.update({
      where: { id },
      data: {
        dataCenter: next.dataCenter,
        tokenCiphertext: next.tokenCiphertext,
        mcpUrlCiphertext: next.mcpUrlCiphertext,
        mcpUrlRedacted: next.mcpUrlRedacted,
        config: next.config as Prisma.InputJsonObject,
        ...(mappingChanged ? { mapping: input.mapping as Prisma.InputJsonObject, mappingVersion: { increment: 1 } } : {}),
        ...(smoke ? smokeColumns(smoke) : {}),
        // A source whose credentials stopped working keeps its switches, but jobs and hints check the smoke test too.
        backfillEnabled,
        hintsEnabled,
      },
    });
    return toSource(row);
  }

  async get(workspaceId: string, id: string) {
    return toSource(await this.row(workspaceId, id));
  }

  async search(workspaceId: string, query: { limit: number; cursor?: string | undefined }) {
    const where: Prisma.SourceWhereInput = { workspaceId };
    if (query.cursor) where.AND = [afterCursor('createdAt', query.cursor)];
    const rows = await this.db.source.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: query.limit + 1 });
    const { page, nextCursor } = toPage(rows, query.limit, (row) => row.createdAt);
    return { data: page.map(toSource), nextCursor };
  }

  /** Deletes the source with its jobs, stored payloads and hints; the contacts it brought stay. */
  async delete(workspaceId: string, id: string) {
    const { count } = await this.db.source.deleteMany({ where: { id, workspaceId } });
    if (count === 0) throw notFound('The source');
  }

  /** Runs the smoke test again and records the outcome. */
  async smokeTest(workspaceId: string, id: string) {
    const row = await this.row(workspaceId, id);
    const smoke = await this.runSmokeTest(row);
    return toSource(await this.db.source.update({ where: { id }, data: smokeColumns(smoke) }));
  }

  /** A new hint-signing secret; the previous ones stay valid for the overlap, so senders can switch without losing hints. */
  async rotateHintSecret(workspaceId: string, id: string, overlapSeconds: number) {
    await this.row(workspaceId, id);
    const secret = newWebhookSecret();
    const expiresAt = new Date(Date.now() + overlapSeconds * 1000);
    await this.db.$transaction(async (tx) => {
      await tx.sourceHintSecret.updateMany({ where: { sourceId: id, OR: [{ expiresAt: null }, { expiresAt: { gt: expiresAt } }] }, data: { expiresAt } });
      await tx.sourceHintSecret.create({ data: { sourceId: id, secretCiphertext: this.secrets.seal(secret) } });
    });
    return { secret, previousSecretExpiresAt: expiresAt.toISOString() };
  }

  /** The secret a hint sender signs with today (shown to an admin, to configure Workato). */
  async currentHintSecret(workspaceId: string, id: string) {
    await this.row(workspaceId, id);
    const current = await this.db.sourceHintSecret.findFirst({ where: { sourceId: id, expiresAt: null }, orderBy: { createdAt: 'desc' } });
    if (!current) throw notFound('The hint secret');
    return { secret: this.secrets.open(current.secretCiphertext), previousSecretExpiresAt: null };
  }

  /** What a mapping would make of the source's most recently stored payloads; nothing is saved. */
  async previewMapping(workspaceId: string, settings: WorkspaceSettings, id: string, mapping: SourceMapping, limit: number) {
    const source = await this.row(workspaceId, id);
    const compiled = new CompiledMapping(mapping);
    const stored = await this.db.sourceRecord.findMany({ where: { sourceId: id }, orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }], take: limit });
    const context = { defaultSource: source.name, defaultRegion: settings.defaultPhoneRegion };
    const data = await Promise.all(
      stored.map(async (record) => {
        const mapped = await compiled.apply(record.payload, { objectId: record.objectId, source: source.name });
        if (!mapped.ok) return { objectId: record.objectId, contact: null, events: [], objects: [], tajoOnly: null, errors: [{ field: mapped.field, reason: mapped.reason }] };
        const errors: { field: string; reason: string }[] = [];
        let contact: Record<string, unknown> | null = null;
        const input = contactInputOf(mapped.record, source.name);
        if (input) {
          const normalized = normalizeContact(input, context);
          if (normalized.ok) contact = normalized.contact as unknown as Record<string, unknown>;
          else errors.push(...under('contact', normalized.rejections));
        }
        const events = mapped.record.events.flatMap((event, index) => {
          const normalized = normalizeEvent(event, { defaultRegion: settings.defaultPhoneRegion, receivedAt: record.receivedAt.toISOString() });
          if (normalized.ok) return [normalized.event as unknown as Record<string, unknown>];
          errors.push(...under(`events.${index}`, normalized.rejections));
          return [];
        });
        const objects = (await this.objects.normalizeTyped(workspaceId, settings.defaultPhoneRegion, mapped.record.objects)).flatMap((normalized, index) => {
          if (normalized.ok) return [normalized.record];
          errors.push(...under(`objects.${index}`, normalized.rejections));
          return [];
        });
        return { objectId: record.objectId, contact, events, objects, tajoOnly: mapped.record.tajoOnly, errors };
      }),
    );
    const deadLettered = data.filter((record) => record.errors.length > 0).length;
    return { data, counts: { mapped: data.length - deadLettered, deadLettered } };
  }

  async row(workspaceId: string, id: string) {
    const row = await this.db.source.findFirst({ where: { id, workspaceId } });
    if (!row) throw notFound('The source');
    return row;
  }

  /** A harmless authenticated read; for MCP, the tool list must hold the configured tools. */
  async runSmokeTest(source: SourceRow): Promise<SmokeTestResult> {
    const signal = AbortSignal.timeout(SMOKE_TEST_TIMEOUT_MS);
    const settings = sourceSettings(source);
    try {
      if (settings.kind === 'mcp') {
        const client = this.connections.mcp(source);
        try {
          const tools = await client.listTools(signal);
          const missing = [settings.mcp.fetchTool, settings.mcp.listTool].filter((tool): tool is string => tool !== undefined && !tools.includes(tool));
          if (missing.length > 0) {
            return failed('missing_tool', `The MCP server has no tool ${missing.map((tool) => `'${tool}'`).join(' or ')}; it offers: ${tools.join(', ') || 'no tools'}.`);
          }
        } finally {
          await client.close();
        }
      } else {
        // Reading one message from now on, or the first page of one row, changes nothing at Workato.
        await readerFor(source, this.connections).read({ cursor: null, startFrom: settings.kind === 'event_stream' ? { time: new Date().toISOString() } : null, wait: false, signal });
      }
      return { status: 'passed', failure: null };
    } catch (error) {
      if (!(error instanceof WorkatoError)) return failed('invalid_response', `Workato's answer could not be read: ${(error as Error).message}`);
      const category: SmokeTestFailure =
        error.category === 'authentication' ? 'authentication'
        : error.category === 'permission' ? 'permission'
        : error.category === 'not_found' ? 'not_found'
        : error.category === 'rate_limited' ? 'rate_limited'
        : error.category === 'validation' ? 'not_found'
        : 'unreachable';
      return failed(category, error.message);
    }
  }
}

/** Rejections of a part of the mapped record, their fields prefixed with where the part is. */
const under = (prefix: string, rejections: readonly { field: string; reason: string }[]) =>
  rejections.map((rejection) => ({ field: rejection.field ? `${prefix}.${rejection.field}` : prefix, reason: rejection.reason }));

const failed = (category: SmokeTestFailure, detail: string): SmokeTestResult => ({ status: 'failed', failure: { category, detail } });

const smokeColumns = (smoke: SmokeTestResult) => ({
  smokeTestStatus: smoke.status,
  smokeTestedAt: new Date(),
  smokeTestFailure: smoke.failure ? (smoke.failure as Prisma.InputJsonObject) : Prisma.DbNull,
});

/** A resource's paging is Workato's, not the caller's: it follows the resource kind. */
const withPagination = (config: Record<string, unknown>) => {
  const resource = config.resource as { kind?: Parameters<typeof paginationOf>[0] } | undefined;
  return resource?.kind ? { ...config, pagination: paginationOf(resource.kind) } : config;
};

const sectionKey = (kind: 'event_stream' | 'developer_api' | 'mcp') => ({ event_stream: 'eventStream', developer_api: 'developerApi', mcp: 'mcp' })[kind];

const noHintsForTopics = () =>
  new AppError('validation', 'An Event Streams source takes no webhook hints: a topic cannot be read one message at a time. Its incremental job reads new messages as they arrive.');
