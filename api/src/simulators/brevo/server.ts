import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { endpointFamily, GENERAL_TIER_LIMITS, type EndpointFamily } from '../../brevo/rate-limit.ts';
import { ATTRIBUTE_CATEGORIES, ZContactsQuery, ZCreateAttribute, ZCreateContact, ZIdentifierQuery, ZImportContacts, ZPageQuery } from './schemas.ts';
import { registerListRoutes, SimulatedListStore } from './lists.ts';
import { registerTransactionalRoutes, SimulatedMailer } from './transactional.ts';
import { registerCampaignRoutes, SimulatedCampaigns } from './campaigns.ts';
import { registerEventRoutes, type SimulatedEvent } from './events.ts';
import { registerObjectRoutes, SimulatedObjectStore, type ObjectBatchDelay, type ObjectBatchReport } from './objects.ts';
import { seededRandom } from '../random.ts';

/**
 * A stateful stand-in for Brevo's API v3, for tests, benchmarks and the zero-setup demo. It serves
 * the endpoints Tajo calls, validates each request as Brevo does (400 with `{code, message}`),
 * keeps Brevo's uniqueness rules, runs imports asynchronously, enforces rate limits with Brevo's
 * `x-sib-ratelimit-*` headers and injects faults on demand. It counts every request.
 */

type Family = EndpointFamily;

export interface Faults {
  /** Share of requests answered 429 (before any work). */
  rateLimited: number;
  /** Share answered 500/502/503 (before any work). */
  serverError: number;
  /** Extra latency, uniformly drawn from [min, max] ms. */
  latencyMs: [number, number];
  /** Share of requests never answered (the client times out). */
  timeout: number;
  /** Share of requests whose connection is dropped without an answer. */
  dropConnection: number;
}

const NO_FAULTS: Faults = { rateLimited: 0, serverError: 0, latencyMs: [0, 0], timeout: 0, dropConnection: 0 };

export interface SimulatedContact {
  id: number;
  email?: string;
  extId?: string;
  attributes: Record<string, unknown>;
  emailBlacklisted: boolean;
  smsBlacklisted: boolean;
  listIds: number[];
  createdAt: string;
  modifiedAt: string;
}

export interface SimulatedAttribute {
  category: string;
  name: string;
  type: string;
}

export interface SimulatedProcess {
  id: number;
  name: string;
  status: 'queued' | 'in_process' | 'completed';
  /** A completed import's report (per kind of problem, a CSV of the skipped rows, or null), or an objects batch's. */
  info?: { import: Record<ImportProblem, string | null> } | { object_records: ObjectBatchReport };
}

const IMPORT_PROBLEMS = ['invalid_emails', 'duplicate_contact_id', 'duplicate_ext_id', 'duplicate_email_id', 'duplicate_phone_id', 'duplicate_whatsapp_id', 'duplicate_landline_number_id'] as const;
type ImportProblem = (typeof IMPORT_PROBLEMS)[number];

/** Which report a refused import row lands in. Refusals other than duplicates go with the invalid rows. */
function importProblem(error: unknown): ImportProblem {
  if (!(error instanceof BrevoError) || error.code !== 'duplicate_parameter') return 'invalid_emails';
  if (error.message.includes('SMS')) return 'duplicate_phone_id';
  return error.message.includes('email') ? 'duplicate_email_id' : 'duplicate_ext_id';
}

export interface RequestRecord {
  method: string;
  route: string;
  status: number;
  family: Family;
  /** When the request arrived (epoch ms): what Brevo's windows count. */
  at: number;
}

export interface BrevoSimulatorOptions {
  /** API keys Brevo accepts; each is its own account with its own rate-limit windows. */
  apiKeys: string[];
  limits?: Partial<Record<Family, { limit: number; windowSeconds: number }>>;
  /** Delay before an import is carried out. */
  importDelayMs?: number;
  /**
   * Delay before an objects batch upsert is carried out (as long as an import's by default), or
   * one per batch: Brevo's queue may finish a later batch before an earlier one.
   */
  objectsDelayMs?: ObjectBatchDelay;
  /** Seed of the fault generator, so a failing run can be replayed. */
  seed?: number;
  /** Called for every request with its body, e.g. to check it against Brevo's published spec. */
  onRequest?(request: { method: string; route: string; url: string; body: unknown }): void;
  /** Called for every answer with its status and body (parsed; undefined when it has none), e.g. to check it against Brevo's published spec. */
  onResponse?(response: { method: string; route: string; url: string; status: number; body: unknown }): void;
}

/** The simulated account's login, as GET /account shows it. */
export const SIMULATED_ACCOUNT_EMAIL = 'simulator@brevo.invalid';

/** Attributes every Brevo account has. */
const STANDARD_ATTRIBUTES: SimulatedAttribute[] = ['FIRSTNAME', 'LASTNAME', 'SMS', 'WHATSAPP', 'LANDLINE_NUMBER', 'EXT_ID'].map((name) => ({
  category: 'normal',
  name,
  type: 'text',
}));

/** The values each attribute type takes (Brevo refuses, say, a word for a number). */
const ACCEPTS: Record<string, (value: unknown) => boolean> = {
  text: (value) => typeof value === 'string' || typeof value === 'number',
  float: (value) => typeof value === 'number',
  boolean: (value) => typeof value === 'boolean',
  date: (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value)),
};

export class BrevoError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const familyOf = (url: string): Family => endpointFamily(url.replace(/^\/v3/, ''));

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  throw new BrevoError(400, issue.code === 'invalid_type' && issue.input === undefined ? 'missing_parameter' : 'invalid_parameter', `${field}: ${issue.message}`);
}

export class BrevoSimulatorState {
  readonly contacts = new Map<number, SimulatedContact>();
  readonly attributes = new Map<string, SimulatedAttribute>(STANDARD_ATTRIBUTES.map((a) => [a.name, a]));
  readonly processes = new Map<number, SimulatedProcess>();
  readonly listStore = new SimulatedListStore();
  readonly mailer = new SimulatedMailer();
  readonly campaigns = new SimulatedCampaigns();
  readonly events: SimulatedEvent[] = [];
  /** Custom object types (defined by tests: Brevo's API creates none) and their records. */
  readonly objects = new SimulatedObjectStore((identifiers) => (identifiers.id !== undefined ? this.contacts.get(identifiers.id) : this.byExtId(identifiers.ext_id ?? '')));
  readonly requests: RequestRecord[] = [];
  /** Requests received and not yet answered, by route: a crash test kills its client while one is. */
  readonly inFlight = new Map<string, number>();
  #nextContactId = 1;
  #nextProcessId = 1;

  /**
   * Contacts by email, ext_id and SMS, kept by write(): a backfill imports 100,000 contacts, and a
   * scan per lookup would make that quadratic. An entry is trusted only while the contact still
   * exists and still has that value, so deletions and changes need no bookkeeping.
   */
  readonly #index = { email: new Map<string, SimulatedContact>(), extId: new Map<string, SimulatedContact>(), sms: new Map<string, SimulatedContact>() };

  #lookup(index: Map<string, SimulatedContact>, key: string, current: (contact: SimulatedContact) => unknown) {
    const contact = index.get(key);
    return contact && this.contacts.get(contact.id) === contact && current(contact) === key ? contact : undefined;
  }

  byEmail(email: string) {
    return this.#lookup(this.#index.email, email.toLowerCase(), (contact) => contact.email);
  }

  byExtId(extId: string) {
    return this.#lookup(this.#index.extId, extId, (contact) => contact.extId);
  }

  bySms(sms: string) {
    return this.#lookup(this.#index.sms, sms, (contact) => contact.attributes.SMS);
  }

  find(identifier: string, type: string | undefined) {
    if (type === 'ext_id') return this.byExtId(identifier);
    if (type === 'contact_id' || (type === undefined && /^\d+$/.test(identifier))) return this.contacts.get(Number(identifier));
    if (type === 'phone_id') return this.bySms(identifier);
    return this.byEmail(identifier);
  }

  #indexContact(contact: SimulatedContact) {
    if (contact.email) this.#index.email.set(contact.email, contact);
    if (contact.extId) this.#index.extId.set(contact.extId, contact);
    if (typeof contact.attributes.SMS === 'string') this.#index.sms.set(contact.attributes.SMS, contact);
  }

  /** Applies one contact write as Brevo does, including its blocklist rule for email changes. */
  write(input: { email?: string; extId?: string; attributes?: Record<string, unknown>; emailBlacklisted?: boolean; smsBlacklisted?: boolean; listIds?: number[] }, updateEnabled: boolean) {
    const email = input.email?.toLowerCase();
    if (!email && !input.extId && input.attributes?.SMS === undefined) throw new BrevoError(400, 'missing_parameter', 'email, ext_id or SMS is required');
    for (const [name, value] of Object.entries(input.attributes ?? {})) {
      const attribute = this.attributes.get(name);
      if (!attribute) throw new BrevoError(400, 'invalid_parameter', `Attribute ${name} does not exist`);
      if (ACCEPTS[attribute.type]?.(value) === false) throw new BrevoError(400, 'invalid_parameter', `Invalid value for attribute ${name} of type ${attribute.type}`);
    }
    const byExt = input.extId ? this.byExtId(input.extId) : undefined;
    const byMail = email ? this.byEmail(email) : undefined;
    if (byExt && byMail && byExt !== byMail) throw new BrevoError(400, 'duplicate_parameter', 'Contact already exist with this email');
    const existing = byExt ?? byMail;
    const sms = input.attributes?.SMS;
    if (sms !== undefined) {
      const holder = typeof sms === 'string' ? this.bySms(sms) : undefined;
      if (holder && holder !== existing) throw new BrevoError(400, 'duplicate_parameter', 'Unable to create contact, SMS is already associated with another Contact');
    }
    const now = new Date().toISOString();
    if (existing) {
      if (!updateEnabled) throw new BrevoError(400, 'duplicate_parameter', 'Contact already exist');
      // Brevo lifts an email blocklist when the contact's email address changes.
      if (email && existing.email !== email) {
        existing.email = email;
        existing.emailBlacklisted = false;
      }
      if (input.extId) existing.extId = input.extId;
      Object.assign(existing.attributes, input.attributes);
      if (input.emailBlacklisted !== undefined) existing.emailBlacklisted = input.emailBlacklisted;
      if (input.smsBlacklisted !== undefined) existing.smsBlacklisted = input.smsBlacklisted;
      existing.listIds = [...new Set([...existing.listIds, ...(input.listIds ?? [])])];
      existing.modifiedAt = now;
      this.#indexContact(existing);
      return { contact: existing, created: false };
    }
    const contact: SimulatedContact = {
      id: this.#nextContactId++,
      ...(email ? { email } : {}),
      ...(input.extId ? { extId: input.extId } : {}),
      attributes: { ...input.attributes },
      emailBlacklisted: input.emailBlacklisted ?? false,
      smsBlacklisted: input.smsBlacklisted ?? false,
      listIds: [...new Set(input.listIds ?? [])],
      createdAt: now,
      modifiedAt: now,
    };
    this.contacts.set(contact.id, contact);
    this.#indexContact(contact);
    return { contact, created: true };
  }

  startProcess(name: string): SimulatedProcess {
    const process: SimulatedProcess = { id: this.#nextProcessId++, name, status: 'queued' };
    this.processes.set(process.id, process);
    return process;
  }

  /** A process Brevo carries out in the background, `delayMs` after the request: `work` does it and returns its report. */
  runProcess(name: string, delayMs: number, work: (process: SimulatedProcess) => SimulatedProcess['info']): SimulatedProcess {
    const process = this.startProcess(name);
    setTimeout(() => {
      process.status = 'in_process';
      process.info = work(process);
      process.status = 'completed';
    }, delayMs).unref();
    return process;
  }

  count(filter: (record: RequestRecord) => boolean = () => true) {
    return this.requests.filter(filter).length;
  }
}

export interface BrevoSimulator {
  url: string;
  /** Base URL Tajo's Brevo client is configured with (…/v3). */
  baseUrl: string;
  state: BrevoSimulatorState;
  faults: Faults;
  setFaults(faults: Partial<Faults>): void;
  /** Enforces (and announces) other limits from now on, as a plan change in Brevo would. */
  setLimits(limits: Partial<Record<Family, { limit: number; windowSeconds: number }>>): void;
  /** A new key of the same account (created in Brevo's UI), accepted from now on. */
  addApiKey(apiKey: string): void;
  /** The key is refused (401) from now on. */
  revokeApiKey(apiKey: string): void;
  close(): Promise<void>;
}

export async function startBrevoSimulator(options: BrevoSimulatorOptions, port = 0): Promise<BrevoSimulator> {
  const state = new BrevoSimulatorState();
  let limits = { ...GENERAL_TIER_LIMITS, ...options.limits };
  const random = seededRandom(options.seed ?? 1);
  const importDelayMs = options.importDelayMs ?? 20;
  let faults: Faults = { ...NO_FAULTS };
  const apiKeys = new Set(options.apiKeys);
  const windows = new Map<string, { start: number; used: number }>();
  const app = Fastify({ logger: false, bodyLimit: 12 * 1024 * 1024, forceCloseConnections: true });

  const limitHeaders = (reply: FastifyReply, limit: number, remaining: number, resetSeconds: number) =>
    reply
      .header('x-sib-ratelimit-limit', String(limit))
      .header('x-sib-ratelimit-remaining', String(remaining))
      .header('x-sib-ratelimit-reset', String(resetSeconds));

  const rateLimit = (apiKey: string, family: Family, reply: FastifyReply) => {
    const { limit, windowSeconds } = limits[family];
    const key = `${apiKey}\u0000${family}`;
    const now = Date.now();
    let window = windows.get(key);
    if (!window || now - window.start >= windowSeconds * 1000) windows.set(key, (window = { start: now, used: 0 }));
    window.used += 1;
    const reset = Math.max(1, Math.ceil((window.start + windowSeconds * 1000 - now) / 1000));
    limitHeaders(reply, limit, Math.max(0, limit - window.used), reset);
    if (window.used > limit) throw new BrevoError(429, 'too_many_requests', 'Too many requests');
  };

  const routeOf = (request: FastifyRequest) => request.routeOptions.url ?? request.url;

  app.addHook('preHandler', async (request, reply) => {
    const route = routeOf(request);
    const family = familyOf(request.url);
    options.onRequest?.({ method: request.method, route, url: request.url, body: request.body });
    const at = Date.now();
    state.inFlight.set(route, (state.inFlight.get(route) ?? 0) + 1);
    reply.raw.once('close', () => state.inFlight.set(route, state.inFlight.get(route)! - 1));
    reply.raw.once('finish', () => state.requests.push({ method: request.method, route, status: reply.statusCode, family, at }));
    const [min, max] = faults.latencyMs;
    if (max > 0) await new Promise((resolve) => setTimeout(resolve, min + random() * (max - min)));
    if (random() < faults.timeout) {
      await new Promise(() => undefined); // never answers; the client's timeout ends it
    }
    if (random() < faults.dropConnection) {
      request.raw.socket.destroy();
      return reply;
    }
    const apiKey = request.headers['api-key'];
    if (typeof apiKey !== 'string' || !apiKeys.has(apiKey)) throw new BrevoError(401, 'unauthorized', 'Key not found');
    if (random() < faults.rateLimited) {
      limitHeaders(reply, limits[family].limit, 0, 1);
      throw new BrevoError(429, 'too_many_requests', 'Too many requests');
    }
    if (random() < faults.serverError) throw new BrevoError([500, 502, 503][Math.floor(random() * 3)]!, 'internal_error', 'Internal server error');
    rateLimit(apiKey, family, reply);
  });

  const { onResponse } = options;
  if (onResponse) {
    // Answers are serialized by now: every JSON body the simulator sends is a string here.
    app.addHook('onSend', async (request, reply, payload) => {
      const json = typeof payload === 'string' && payload !== '' && String(reply.getHeader('content-type')).includes('json');
      onResponse({ method: request.method, route: routeOf(request), url: request.url, status: reply.statusCode, body: json ? (JSON.parse(payload) as unknown) : undefined });
      return payload;
    });
  }

  app.setErrorHandler((error: Error & { statusCode?: number }, _request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof BrevoError) return reply.code(error.status).send({ code: error.code, message: error.message });
    // Fastify's own refusals (unparseable JSON, body too large) answer as Brevo does.
    return reply.code(error.statusCode && error.statusCode < 500 ? error.statusCode : 500).send({ code: 'bad_request', message: error.message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ code: 'document_not_found', message: `${request.method} ${request.url} is not served by the simulator` }));

  app.get('/v3/account', async () => ({
    email: SIMULATED_ACCOUNT_EMAIL,
    firstName: 'Brevo',
    lastName: 'Simulator',
    companyName: 'Tajo test account',
    address: { street: '', city: '', zipCode: '', country: '' },
    plan: [{ type: 'free', credits: 300, creditsType: 'sendLimit' }],
    // Every account has SMTP relay settings; the simulator relays nothing, so it is off.
    relay: { enabled: false, data: { userName: SIMULATED_ACCOUNT_EMAIL, relay: 'smtp-relay.brevo.invalid', port: 587 } },
  }));

  app.post('/v3/contacts', async (request, reply) => {
    const body = parse(ZCreateContact, request.body);
    const { contact, created } = state.write(
      {
        ...(body.email ? { email: body.email } : {}),
        ...(body.ext_id ? { extId: body.ext_id } : {}),
        ...(body.attributes ? { attributes: body.attributes } : {}),
        ...(body.emailBlacklisted !== undefined ? { emailBlacklisted: body.emailBlacklisted } : {}),
        ...(body.smsBlacklisted !== undefined ? { smsBlacklisted: body.smsBlacklisted } : {}),
        ...(body.listIds ? { listIds: body.listIds } : {}),
      },
      body.updateEnabled ?? false,
    );
    return created ? reply.code(201).send({ id: contact.id }) : reply.code(204).send();
  });

  const contactView = (contact: SimulatedContact) => ({
    id: contact.id,
    email: contact.email,
    emailBlacklisted: contact.emailBlacklisted,
    smsBlacklisted: contact.smsBlacklisted,
    createdAt: contact.createdAt,
    modifiedAt: contact.modifiedAt,
    listIds: contact.listIds,
    attributes: { ...contact.attributes, ...(contact.extId ? { EXT_ID: contact.extId } : {}) },
  });

  app.get('/v3/contacts', async (request) => {
    const query = parse(ZContactsQuery, request.query);
    const since = query.modifiedSince ? Date.parse(query.modifiedSince) : Number.NEGATIVE_INFINITY;
    const matching = [...state.contacts.values()].filter((contact) => Date.parse(contact.modifiedAt) >= since);
    // Brevo sorts by creation: ids grow with it.
    matching.sort((a, b) => (query.sort === 'asc' ? a.id - b.id : b.id - a.id));
    return { contacts: matching.slice(query.offset, query.offset + query.limit).map(contactView), count: matching.length };
  });

  app.get('/v3/contacts/:identifier', async (request) => {
    const { identifierType } = parse(ZIdentifierQuery, request.query);
    const contact = state.find((request.params as { identifier: string }).identifier, identifierType);
    if (!contact) throw new BrevoError(404, 'document_not_found', 'Contact does not exist');
    // One contact comes with its campaign activity; the simulator sends no campaigns, so there is none.
    return { ...contactView(contact), statistics: {} };
  });

  app.delete('/v3/contacts/:identifier', async (request, reply) => {
    const { identifierType } = parse(ZIdentifierQuery, request.query);
    const contact = state.find((request.params as { identifier: string }).identifier, identifierType);
    if (!contact) throw new BrevoError(404, 'document_not_found', 'Contact does not exist');
    state.contacts.delete(contact.id);
    return reply.code(204).send();
  });

  app.post('/v3/contacts/import', async (request, reply) => {
    const body = parse(ZImportContacts, request.body);
    if (!body.jsonBody && !body.fileBody && !body.fileUrl) throw new BrevoError(400, 'missing_parameter', 'fileUrl, fileBody or jsonBody is required');
    if (!body.listIds?.length && !body.newList) throw new BrevoError(400, 'missing_parameter', 'listIds or newList is required');
    if (!body.jsonBody) throw new BrevoError(400, 'invalid_parameter', 'the simulator imports jsonBody only');
    const rows = body.jsonBody;
    const host = request.headers.host ?? '127.0.0.1';
    const process = state.runProcess('IMPORTUSER', importDelayMs, ({ id }) => {
      const reports = `http://${host}/reports/${id}`;
      const problems = new Set<ImportProblem>();
      for (const row of rows) {
        const { EXT_ID: extId, ...attributes } = row.attributes ?? {};
        try {
          state.write(
            {
              ...(row.email ? { email: row.email } : {}),
              ...(typeof extId === 'string' ? { extId } : {}),
              attributes,
              ...(body.emailBlacklist ? { emailBlacklisted: true } : {}),
              ...(body.smsBlacklist ? { smsBlacklisted: true } : {}),
              ...(body.listIds ? { listIds: body.listIds } : {}),
            },
            body.updateExistingContacts ?? true,
          );
        } catch (error) {
          // Brevo skips rows it cannot import and reports them in the process's report, not the request.
          problems.add(importProblem(error));
        }
      }
      return { import: Object.fromEntries(IMPORT_PROBLEMS.map((problem) => [problem, problems.has(problem) ? `${reports}/${problem}.csv` : null])) as Record<ImportProblem, string | null> };
    });
    return reply.code(202).send({ processId: process.id });
  });

  app.get('/v3/processes', async (request) => {
    const query = parse(ZPageQuery, request.query);
    const all = [...state.processes.values()].sort((a, b) => (query.sort === 'asc' ? a.id - b.id : b.id - a.id));
    return { processes: all.slice(query.offset, query.offset + query.limit), count: all.length };
  });

  app.get('/v3/processes/:processId', async (request) => {
    const id = Number((request.params as { processId: string }).processId);
    if (!Number.isInteger(id)) throw new BrevoError(400, 'invalid_parameter', 'processId must be an integer');
    const process = state.processes.get(id);
    if (!process) throw new BrevoError(404, 'document_not_found', 'Process does not exist');
    return process;
  });

  app.get('/v3/contacts/attributes', async () => ({
    attributes: [...state.attributes.values()].map((a) => ({ name: a.name, category: a.category, type: a.type })),
  }));

  // Route parameters are named as Brevo's spec names them, so requests are checked against it.
  app.post('/v3/contacts/attributes/:attributeCategory/:attributeName', async (request, reply) => {
    const { attributeCategory: category, attributeName: name } = request.params as { attributeCategory: string; attributeName: string };
    if (!(ATTRIBUTE_CATEGORIES as readonly string[]).includes(category)) throw new BrevoError(400, 'invalid_parameter', `unknown attribute category ${category}`);
    const body = parse(ZCreateAttribute, request.body);
    if (state.attributes.has(name)) throw new BrevoError(400, 'duplicate_parameter', `Attribute ${name} already exists`);
    state.attributes.set(name, { category, name, type: body.type ?? 'text' });
    return reply.code(201).send();
  });

  registerListRoutes(app, state);
  registerTransactionalRoutes(app, state);
  registerCampaignRoutes(app, state);
  registerEventRoutes(app, state);
  registerObjectRoutes(app, state, { delayMs: options.objectsDelayMs ?? importDelayMs });

  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    baseUrl: `${url}/v3`,
    state,
    get faults() {
      return faults;
    },
    setLimits(next) {
      limits = { ...GENERAL_TIER_LIMITS, ...options.limits, ...next };
    },
    setFaults(next) {
      faults = { ...NO_FAULTS, ...next };
    },
    addApiKey: (apiKey) => void apiKeys.add(apiKey),
    revokeApiKey: (apiKey) => void apiKeys.delete(apiKey),
    close: () => app.close(),
  };
}
