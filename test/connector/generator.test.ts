/**
 * The generated connector: byte-identical regeneration, every connector operation of the spec
 * present, valid Ruby (prism), Ruby 2.7 syntax only, the shape Workato's runtime expects when
 * evaluated as Ruby (a Hash, lambdas of the right arity, explicit `optional:`, toggles on selects),
 * and the request bodies its merging writes send.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrism, SymbolNode, Visitor, type AssocNode, type CallNode, type DefNode, type Node } from '@ruby/prism';
import { renderConnector, connectorKeys } from '../../scripts/connector/render.ts';
import { CatalogError, readCatalog, type OpenApiDocument } from '../../api/src/operations/catalog.ts';
import { WorkatoHarness, type Json } from '../support/workato/harness.ts';

const specText = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
const spec = () => JSON.parse(specText) as OpenApiDocument;
const committed = readFileSync(new URL('../../connector/connector.rb', import.meta.url), 'utf8');

/** The committed connector in Ruby. No API runs here: a loopback stub answers every request with an empty batch result. */
let harness: WorkatoHarness;
let stub: Server;
beforeAll(async () => {
  stub = createServer((_request, response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"results":[]}'));
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  harness = await WorkatoHarness.load({ base_url: `http://127.0.0.1:${(stub.address() as AddressInfo).port}`, api_key: 'unused' });
}, 60_000);
afterAll(() => new Promise<void>((resolve) => stub.close(() => resolve())));

describe('generation', () => {
  it('is deterministic and matches the committed connector', () => {
    const first = renderConnector(spec());
    expect(renderConnector(spec())).toBe(first);
    expect(committed).toBe(first);
  });

  it('refuses an operation it cannot place, naming it', () => {
    const document = spec();
    delete document.paths['/v1/contacts/upsert']!.post!['x-workato-action'];
    expect(() => renderConnector(document)).toThrowError(CatalogError);
    expect(() => renderConnector(document)).toThrowError(/upsertContact \(POST \/v1\/contacts\/upsert\): no x-workato-\* extension/);
  });

  it('refuses extensions that do not fit the operation', () => {
    const document = spec();
    document.paths['/v1/lists/{id}']!.get!['x-workato-action'] = { object: 'list', verb: 'get', pickLists: { id: 'no_such_list' } };
    document.paths['/v1/contacts']!.get!['x-workato-trigger'] = { object: 'contact', title: 'New contact', since: 'createdAfter', timestamp: 'createdAt' };
    const webhooks = document.paths['/v1/webhooks']!.post!['x-workato-webhooks'] as { triggers: { events: string[] }[] };
    webhooks.triggers[0]!.events = ['contact.created', 'contact.upserted'];
    let error: unknown;
    try {
      renderConnector(document);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).problems).toEqual([
      "searchContacts: trigger since parameter 'createdAfter' is not a query parameter",
      'getList: pick list no_such_list has no operation with x-workato-pick-list',
      "createWebhookSubscription: webhook trigger 'New or updated contact (real time)' subscribes to unknown event types contact.upserted",
    ]);
  });

  it('refuses a merging write with an input named like its option to clear empty fields', () => {
    const document = spec();
    (document.components.schemas.ContactRecordInput!.properties as Record<string, unknown>).clear_empty_fields = { type: 'boolean' };
    expect(() => renderConnector(document)).toThrowError(/upsertContact: an input named clear_empty_fields would collide/);
  });

  it('leaves out only operations the spec skips with a reason', () => {
    const catalog = readCatalog(spec());
    expect(catalog.skipped.map((skipped) => skipped.operationId).sort()).toEqual(
      ['health', 'ready', 'metrics', 'listAlerts', 'operatorPage', 'operatorAsset', 'updateWorkspace', 'listApiKeys', 'createApiKey', 'rotateApiKey', 'revokeApiKey', 'connectBrevo', 'getBrevoConnection', 'disconnectBrevo', 'testBrevoConnection', 'backfillBrevo', 'getBrevoActivationStatus', 'checkObjectTypeInBrevo',
        ...['searchWebhookSubscriptions', 'getWebhookSubscription', 'deleteWebhookSubscription', 'searchWebhookDeliveries'],
        ...['createSource', 'searchSources', 'getSource', 'updateSource', 'deleteSource', 'smokeTestSource', 'previewSourceMapping', 'getSourceHintSecret', 'rotateSourceHintSecret', 'getSourceHintStats', 'receiveWebhookHint'],
        ...['startSyncJob', 'searchSyncJobs', 'getSyncJob', 'pauseSyncJob', 'resumeSyncJob', 'cancelSyncJob', 'replaySyncJob'],
        ...['createObjectType', 'updateObjectType', 'deleteObjectType']].sort(),
    );
  });
});

describe('Ruby', () => {
  let parse: Awaited<ReturnType<typeof loadPrism>>;
  beforeAll(async () => {
    parse = await loadPrism();
  });

  it('parses with no error', () => {
    const result = parse(committed);
    expect(result.errors.map((error: { message: string }) => error.message)).toEqual([]);
    expect(parse('{ a: lambda do |x| x end').errors.length).toBeGreaterThan(0);
  });

  it('uses no syntax newer than Ruby 2.7 (Workato runs connectors on 2.7)', () => {
    const found = newerSyntax(parse, committed);
    expect(found).toEqual([]);
    // The check itself sees what 2.7 would reject.
    expect(newerSyntax(parse, 'x = 1\n{ x: }\ndef y = 2\n[1].map { it }\n{ a: 1 } => { a: }')).toEqual(
      expect.arrayContaining(['hash shorthand {x:}', 'endless def', "block parameter 'it'", 'rightward pattern match']),
    );
  });
});

describe('webhook_notification', () => {
  it('makes no HTTP call and calls no connector method (Workato forbids both there)', async () => {
    const parse = await loadPrism();
    expect(notificationCalls(parse, committed)).toEqual({ notifications: 3, calls: [] });
    // The check itself sees a call where there is one.
    expect(notificationCalls(parse, "{ webhook_notification: lambda do |a| call('m', get('x')) end }")).toEqual({ notifications: 1, calls: ['call', 'get'] });
  });
});

/** The webhook_notification lambdas of a connector, and the HTTP verbs and `call`s inside them. */
function notificationCalls(parse: Awaited<ReturnType<typeof loadPrism>>, source: string) {
  const forbidden = new Set(['get', 'post', 'put', 'patch', 'delete', 'call', 'options', 'head']);
  const lambdas: Node[] = [];
  class Notifications extends Visitor {
    override visitAssocNode(node: AssocNode) {
      if (node.key instanceof SymbolNode && node.key.unescaped.value === 'webhook_notification') lambdas.push(node.value);
      this.visitChildNodes(node);
    }
  }
  parse(source).value.accept(new Notifications());
  const calls: string[] = [];
  class Calls extends Visitor {
    override visitCallNode(node: CallNode) {
      if (!node.receiver && forbidden.has(node.name)) calls.push(node.name);
      this.visitChildNodes(node);
    }
  }
  // Each value is `lambda do ... end`: look inside its block.
  for (const notification of lambdas) (notification as CallNode).block?.accept(new Calls());
  return { notifications: lambdas.length, calls };
}

/** Syntax Ruby 2.7 rejects (or treats as experimental), found in the parse tree. */
function newerSyntax(parse: Awaited<ReturnType<typeof loadPrism>>, source: string): string[] {
  const found: string[] = [];
  class NewerSyntax extends Visitor {
    override visitImplicitNode(node: Node) {
      found.push('hash shorthand {x:}');
      this.visitChildNodes(node);
    }
    override visitDefNode(node: DefNode) {
      if (node.equalLoc) found.push('endless def');
      this.visitChildNodes(node);
    }
    override visitItLocalVariableReadNode(node: Node) {
      found.push("block parameter 'it'");
      this.visitChildNodes(node);
    }
    override visitNumberedParametersNode(node: Node) {
      found.push('numbered block parameters (_1)');
      this.visitChildNodes(node);
    }
    override visitMatchRequiredNode(node: Node) {
      found.push('rightward pattern match');
      this.visitChildNodes(node);
    }
    override visitCaseMatchNode(node: Node) {
      found.push('case/in pattern matching');
      this.visitChildNodes(node);
    }
  }
  parse(source).value.accept(new NewerSyntax());
  return found;
}

describe('as Ruby, the connector is what Workato reads', () => {
  it('is a Hash with every required key and lambdas of the right arity', () => {
    const report = harness.eval(`
      problems = []
      c = $connector
      check = lambda do |where, value, arity|
        problems << "#{where}: want a lambda of arity #{arity}, got #{value.class} #{value.respond_to?(:arity) ? value.arity : ''}" unless value.is_a?(Proc) && value.lambda? && value.arity == arity
      end
      problems << 'not a Hash' unless c.is_a?(Hash)
      %i[title connection test object_definitions actions triggers pick_lists methods].each { |key| problems << "no #{key}" unless c.key?(key) }
      check.call('test', c[:test], 1)
      check.call('connection.base_uri', c[:connection][:base_uri], 1)
      check.call('connection.authorization.apply', c[:connection][:authorization][:apply], 1)
      c[:object_definitions].each { |name, definition| check.call("object_definitions.#{name}.fields", definition[:fields], 3) }
      c[:pick_lists].each { |name, list| check.call("pick_lists.#{name}", list, 1) }
      c[:actions].each do |name, action|
        %i[title subtitle description help input_fields execute output_fields sample_output].each { |key| problems << "actions.#{name}: no #{key}" unless action.key?(key) }
        { description: 2, input_fields: 3, execute: 4, output_fields: 3, sample_output: 2 }.each { |key, arity| check.call("actions.#{name}.#{key}", action[key], arity) }
        problems << "actions.#{name}: max_retries over 3" if action[:max_retries].to_i > 3
      end
      c[:triggers].each do |name, trigger|
        %i[title subtitle description help input_fields output_fields sample_output dedup].each { |key| problems << "triggers.#{name}: no #{key}" unless trigger.key?(key) }
        arities = { description: 2, input_fields: 3, output_fields: 3, sample_output: 2, dedup: 1 }
        arities = arities.merge(trigger.key?(:poll) ? { poll: 3 } : { webhook_subscribe: 4, webhook_unsubscribe: 1, webhook_notification: 6 })
        arities.each { |key, arity| check.call("triggers.#{name}.#{key}", trigger[key], arity) }
      end
      problems.to_json
    `);
    expect(JSON.parse(report)).toEqual([]);
  });

  it('has every connector operation of the spec as an action or trigger, and every pick list', () => {
    const keys = connectorKeys(spec());
    const actions = JSON.parse(harness.eval('$connector[:actions].keys.map(&:to_s).to_json')) as string[];
    const triggers = JSON.parse(harness.eval('$connector[:triggers].keys.map(&:to_s).to_json')) as string[];
    const pickLists = JSON.parse(harness.eval('$connector[:pick_lists].keys.map(&:to_s).to_json')) as string[];
    expect(actions.sort()).toEqual(keys.actions.map((action) => action.key).sort());
    for (const trigger of keys.triggers) expect(triggers).toContain(trigger.key);
    expect(pickLists.sort()).toEqual(keys.pickLists.sort());
    // What the issue asks for by name.
    expect(actions).toEqual(
      expect.arrayContaining([
        ...['get_contact', 'search_contacts', 'create_contact', 'update_contact', 'upsert_contact', 'delete_contact', 'batch_upsert_contacts'],
        ...['track_event', 'track_events', 'search_events'],
        ...['create_list', 'get_list', 'rename_list', 'delete_list', 'search_lists', 'add_list_members', 'remove_list_members'],
        ...['search_dead_letters', 'get_dead_letter', 'retry_dead_letter', 'discard_dead_letter'],
      ]),
    );
    expect(triggers).toEqual(expect.arrayContaining(['new_or_updated_contact', 'new_dead_letter', 'new_event']));
  });

  it('declares optional: on every field, and a toggle field with hints on every select', async () => {
    const problems: string[] = [];
    const actions = JSON.parse(harness.eval('$connector[:actions].keys.map(&:to_s).to_json')) as string[];
    const triggers = JSON.parse(harness.eval('$connector[:triggers].keys.map(&:to_s).to_json')) as string[];
    const walk = (where: string, fields: Json) => {
      for (const item of fields as Record<string, Json>[]) {
        const at = `${where}.${String(item.name)}`;
        if (typeof item.optional !== 'boolean') problems.push(`${at}: no explicit optional`);
        if (typeof item.label !== 'string') problems.push(`${at}: no label`);
        if (item.control_type === 'select') {
          const toggle = item.toggle_field as Record<string, Json> | undefined;
          if (!toggle || typeof item.toggle_hint !== 'string' || typeof toggle.toggle_hint !== 'string' || typeof toggle.optional !== 'boolean') {
            problems.push(`${at}: a select needs toggle_hint and a toggle_field with optional and toggle_hint`);
          }
        }
        if (Array.isArray(item.properties)) walk(at, item.properties);
      }
    };
    for (const action of actions) {
      walk(`${action}.input`, await harness.value({ kind: 'input_fields', key: action }));
      walk(`${action}.output`, await harness.value({ kind: 'output_fields', key: action }));
    }
    for (const trigger of triggers) {
      walk(`${trigger}.input`, await harness.value({ kind: 'trigger_input_fields', key: trigger }));
      walk(`${trigger}.output`, await harness.value({ kind: 'output_fields', key: trigger }));
    }
    walk('connection', JSON.parse(harness.eval('$connector[:connection][:fields].to_json')) as Json);
    expect(problems).toEqual([]);
  });

  it('keeps the API key a password field and sends it as a header', () => {
    const apiKey = JSON.parse(harness.eval("$connector[:connection][:fields].find { |field| field[:name] == 'api_key' }.to_json")) as Record<string, Json>;
    expect(apiKey).toMatchObject({ control_type: 'password', optional: false });
  });
});

describe('merging writes leave out fields mapped to empty values, unless asked to clear them', () => {
  // Workato sends a datapill that is empty in a job as nil, and builders map blanks as "".
  const contact = {
    source: 'crm',
    sourceId: 'c-1',
    email: 'ada@example.com',
    firstName: null,
    lastName: '',
    locale: 'en-GB',
    attributes: { plan: 'pro', tier: null, note: '', trial: false, seats: 0 },
    consent: { email: { status: 'opted_in', timestamp: null }, sms: { status: '', timestamp: null } },
    lifetimeValue: { currency: null, amount: '' },
  };
  // False and 0 are values; an object left with no field (sms, lifetimeValue) goes too.
  const kept = { source: 'crm', sourceId: 'c-1', email: 'ada@example.com', locale: 'en-GB', attributes: { plan: 'pro', trial: false, seats: 0 }, consent: { email: { status: 'opted_in' } } };
  const cleared = {
    ...contact,
    lastName: null,
    attributes: { plan: 'pro', tier: null, note: null, trial: false, seats: 0 },
    consent: { email: { status: 'opted_in', timestamp: null }, sms: { status: null, timestamp: null } },
    lifetimeValue: { currency: null, amount: null },
  };
  const subscription = { externalId: '', attributes: { subscription_id: 'SUB-1', seats: null, active: false, monthly_price: { currency: '', amount: null } }, sourceUpdatedAt: null };

  /** What an action sends: its one request's JSON body and headers. */
  async function sent(action: string, input: Json) {
    const result = await harness.execute(action, input);
    if (!result.ok) throw new Error(`${action}: ${result.error}`);
    expect(result.requests).toHaveLength(1);
    const [request] = result.requests;
    return { body: JSON.parse(request!.body!) as Json, headers: request!.headers };
  }

  it('offers the option on the upserts and updates whose records null can clear, and nowhere else', async () => {
    const actions = JSON.parse(harness.eval('$connector[:actions].keys.map(&:to_s).to_json')) as string[];
    const offering: string[] = [];
    for (const action of actions) {
      const fields = (await harness.value({ kind: 'input_fields', key: action })) as { name: string }[];
      if (fields.some((field) => field.name === 'clear_empty_fields')) offering.push(action);
    }
    // Renaming a list merges too, but its one field cannot be cleared.
    expect(offering.sort()).toEqual(['batch_upsert_contacts', 'batch_upsert_object_records', 'update_contact', 'upsert_contact', 'upsert_object_record']);
    const help = JSON.parse(harness.eval('$connector[:actions][:upsert_contact][:help].to_json')) as string;
    expect(help).toMatch(/merges .*`stale`.*Fields mapped to empty values are left out, so Tajo keeps what it holds, unless "Clear fields mapped to empty values" is on/);
    // A create sends what is mapped: there is nothing stored to keep.
    expect((await sent('create_contact', { email: 'ada@example.com', firstName: null })).body).toEqual({ email: 'ada@example.com', firstName: null });
  });

  it('by default, leaves out nil and "" at the top level and in nested objects', async () => {
    expect((await sent('upsert_contact', contact)).body).toEqual(kept);
    const { source: _source, sourceId: _sourceId, ...patch } = contact;
    const { source: _keptSource, sourceId: _keptSourceId, ...patchKept } = kept;
    expect((await sent('update_contact', { id: 'c1', ...patch })).body).toEqual(patchKept);
    expect((await sent('upsert_object_record', { objectType: 'subscription', ...subscription })).body).toEqual({ attributes: { subscription_id: 'SUB-1', active: false } });
  });

  it('by default, leaves them out of each record of a batch, every record keeping its place', async () => {
    const records = [contact, { sourceId: '', email: null }, { email: 'b@example.com', attributes: { plan: '' } }];
    expect((await sent('batch_upsert_contacts', { records })).body).toEqual({ records: [kept, {}, { email: 'b@example.com' }] });
    const objects = await sent('batch_upsert_object_records', { objectType: 'subscription', records: [subscription, { attributes: { subscription_id: 'SUB-2', seats: 3 } }] });
    expect(objects.body).toEqual({ records: [{ attributes: { subscription_id: 'SUB-1', active: false } }, { attributes: { subscription_id: 'SUB-2', seats: 3 } }] });
  });

  it('with the option on, sends them as null, and never sends the option itself', async () => {
    const { body, headers } = await sent('upsert_contact', { ...contact, clear_empty_fields: true, idempotency_key: 'run-1' });
    expect(body).toEqual(cleared);
    expect(body).not.toHaveProperty('clear_empty_fields');
    expect(headers['Idempotency-Key']).toBe('run-1');
    // "true" typed into the option's text field does the same; off is the default.
    expect((await sent('upsert_contact', { ...contact, clear_empty_fields: 'true' })).body).toEqual(cleared);
    expect((await sent('upsert_contact', { ...contact, clear_empty_fields: false })).body).toEqual(kept);
    const batch = await sent('batch_upsert_contacts', { records: [contact, { sourceId: '', email: null }], clear_empty_fields: true });
    expect(batch.body).toEqual({ records: [cleared, { sourceId: null, email: null }] });
  });
});
