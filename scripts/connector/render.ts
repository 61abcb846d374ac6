/**
 * connector/connector.rb from the API's OpenAPI spec: the operation catalog (api/src/operations)
 * says what each operation is to a recipe builder; this file says how Workato's SDK expresses it.
 * Deterministic: the same spec gives the same bytes.
 */
import { PROBLEM_CATEGORIES, problemTitle } from '../../api/src/errors/problem.ts';
import {
  inputNames,
  propertiesOf,
  readCatalog,
  refName,
  resolveSchema,
  type CatalogOperation,
  type JsonSchema,
  type OpenApiDocument,
  type OperationCatalog,
} from '../../api/src/operations/catalog.ts';
import type { ActionExtension } from '../../api/src/operations/extensions.ts';
import { acceptsNull, definitionName, field, labelize, objectDefinition, objectFields, referencedComponents, snakeCase } from './fields.ts';
import { lambda, ruby, rubyString, type RubyValue } from './ruby.ts';

/** Answers Workato retries (at most 3 times, its own limit); every POST carries an Idempotency-Key, so retrying is safe. */
const RETRY_ON_RESPONSE = [429, 500, 502, 503, 504];
const MAX_RETRIES = 3;
/** Answers that no retry will change: turned into a readable message. */
const FINAL_ERROR_CODES = [400, 401, 403, 404, 405, 409, 410, 413, 415, 422];
/** Polling triggers read this many records per request. */
const POLL_PAGE_SIZE = 100;

const VERBS: Record<ActionExtension['verb'], { title: string; plural: boolean }> = {
  get: { title: 'Get', plural: false },
  search: { title: 'Search', plural: true },
  create: { title: 'Create', plural: false },
  update: { title: 'Update', plural: false },
  upsert: { title: 'Upsert', plural: false },
  delete: { title: 'Delete', plural: false },
  batch_upsert: { title: 'Batch upsert', plural: true },
  track: { title: 'Track', plural: false },
  batch_track: { title: 'Batch track', plural: true },
  add_members: { title: 'Add members to', plural: false },
  remove_members: { title: 'Remove members from', plural: false },
  retry: { title: 'Retry', plural: false },
  discard: { title: 'Discard', plural: false },
  send: { title: 'Send', plural: false },
  associate: { title: 'Associate', plural: false },
  dissociate: { title: 'Dissociate', plural: false },
};

const objectLabel = (object: string, plural = false) => labelize(object).toLowerCase() + (plural ? 's' : '');

/** The Idempotency-Key field: derived from the input when left blank, except where repeating is harmless anyway. */
function idempotencyField(repeatable: boolean): RubyValue {
  return {
    name: 'idempotency_key',
    label: 'Idempotency key',
    type: 'string',
    control_type: 'text',
    optional: true,
    sticky: true,
    hint: repeatable
      ? 'A repeat of a request with the same key gets the first answer instead of acting twice. Optional here: repeating this request changes nothing more, so Workato retries it safely without one.'
      : "A repeat of a request with the same key gets the first answer instead of acting twice. Left blank, it is derived from this step's input: Workato's retries are safe, and the same input again within 24 hours answers the first result. To act again on identical input, map a value unique to each run (e.g. the triggering record's ID).",
  };
}

/** Verbs whose writes merge into a stored record: a field sent is written, a field left out keeps its value. */
const MERGING_VERBS = new Set<ActionExtension['verb']>(['upsert', 'batch_upsert', 'update']);

/**
 * A merging write whose record has fields that null clears: an upsert or update where the record
 * (each of a batch's records) takes null somewhere. Renaming a list merges too, but its one field
 * cannot be cleared, so it neither needs nor offers the option to clear.
 */
function mergesClearableRecord(catalog: OperationCatalog, operation: CatalogOperation): boolean {
  const action = operation.action;
  if (!action || !MERGING_VERBS.has(action.verb)) return false;
  const batchRecords = action.batch && propertiesOf(catalog.schemas, operation.requestBody)[action.batch.records]?.items;
  const record = (batchRecords as JsonSchema | undefined) ?? operation.requestBody;
  return Object.values(propertiesOf(catalog.schemas, record)).some(acceptsNull);
}

/**
 * Workato sends a datapill that is empty in a job as nil, and builders map blanks as "": sent as
 * they are, they would clear what Tajo holds. A merging write leaves them out unless this is on.
 */
const CLEAR_EMPTY_FIELDS = 'clear_empty_fields';
const CLEAR_EMPTY_FIELDS_LABEL = 'Clear fields mapped to empty values';
const CLEAR_EMPTY_FIELDS_FIELD: RubyValue = {
  name: CLEAR_EMPTY_FIELDS,
  label: CLEAR_EMPTY_FIELDS_LABEL,
  type: 'boolean',
  control_type: 'checkbox',
  convert_input: 'boolean_conversion',
  optional: true,
  sticky: true,
  toggle_hint: 'Select from options',
  toggle_field: { name: CLEAR_EMPTY_FIELDS, label: CLEAR_EMPTY_FIELDS_LABEL, type: 'string', control_type: 'text', optional: true, toggle_hint: 'Use custom value', hint: 'true or false' },
  hint: 'Off (default): a field mapped to an empty value (a datapill with no value in this job, or blank text) is left out of the request, so Tajo keeps the value it holds. On: such fields are sent as null, which clears them in Tajo (in a batch, in every record). Fields you do not map are never sent.',
};

const EMPTY_FIELDS_HELP = `Fields mapped to empty values are left out, so Tajo keeps what it holds, unless "${CLEAR_EMPTY_FIELDS_LABEL}" is on.`;

const LIST_INDEX_FIELD: RubyValue = { name: 'list_index', label: 'List index', type: 'integer', optional: false, hint: 'Position of the record in the input list (from 0).' };

export function renderConnector(spec: OpenApiDocument): string {
  const catalog = readCatalog(inlineScalarComponents(spec));
  const connector: RubyValue = {
    title: 'Tajo',
    connection: connection(catalog),
    test: lambda(['_connection'], testBody(catalog)),
    object_definitions: objectDefinitions(catalog),
    actions: Object.fromEntries(catalog.operations.filter((operation) => operation.action).map((operation) => [snakeCase(operation.operationId), action(catalog, operation)])),
    triggers: Object.fromEntries([
      ...catalog.operations.filter((operation) => operation.trigger).map((operation) => pollingTrigger(catalog, operation)),
      ...catalog.operations.filter((operation) => operation.webhooks).flatMap((operation) => webhookTriggers(catalog, operation)),
    ]),
    pick_lists: Object.fromEntries(catalog.operations.filter((operation) => operation.pickList).map((operation) => pickList(operation))),
    methods: methods(),
  };
  return `# Generated from openapi/openapi.json by scripts/generate-connector.ts. Do not edit by hand:
# change the API's route schemas or the generator, then run \`npm run generate\`.
${ruby(connector)}
`;
}

/**
 * Component schemas that are not objects (an enum such as the webhook event type) are written in
 * place where referenced: Workato's object definitions hold objects only.
 */
function inlineScalarComponents(spec: OpenApiDocument): OpenApiDocument {
  const schemas = spec.components.schemas;
  const scalars = new Set(Object.entries(schemas).filter(([, schema]) => schema.type !== 'object').map(([name]) => name));
  const inline = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(inline);
    if (!value || typeof value !== 'object') return value;
    const name = refName(value as JsonSchema);
    if (name && scalars.has(name)) return inline(schemas[name]);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, inline(item)]));
  };
  return inline(spec) as OpenApiDocument;
}

const BASE_URL_FIELD: RubyValue = {
  name: 'base_url',
  label: 'Tajo base URL',
  type: 'string',
  control_type: 'url',
  optional: false,
  hint: 'Where your Tajo API runs: https://tajo.example.com in production, your staging URL for staging, http://127.0.0.1:3000 for a local <b>npm start</b> (through an on-prem agent).',
};

const SCOPES_HINT = 'Actions that write need the <b>write</b> scope; triggers and lookups need <b>read</b>.';

/**
 * The connection: an API key sent as a header, or, where the spec has a token endpoint, OAuth2
 * client credentials (the key's ID and the key) exchanged for short-lived bearer tokens that are
 * acquired again when the API answers 401.
 */
function connection(catalog: OperationCatalog): RubyValue {
  const token = catalog.operations.find((operation) => operation.tokenEndpoint);
  const apiKeyField = { name: 'api_key', label: 'API key', type: 'string', control_type: 'password', optional: false, hint: `A Tajo API key (tajo_…). ${SCOPES_HINT}` };
  const baseUri = lambda(['connection'], `"#{connection['base_url'].to_s.strip.sub(%r{/+\\z}, '')}/"`);
  if (!token) {
    return { fields: [BASE_URL_FIELD, apiKeyField], authorization: { type: 'custom_auth', apply: lambda(['connection'], "headers('X-API-Key' => connection['api_key'])") }, base_uri: baseUri };
  }
  const clientCredentials = 'input.auth_type == "client_credentials"';
  return {
    fields: [
      BASE_URL_FIELD,
      {
        name: 'auth_type',
        label: 'Authentication',
        type: 'string',
        control_type: 'select',
        options: [
          ['API key', 'api_key'],
          ['OAuth2 client credentials', 'client_credentials'],
        ],
        default: 'api_key',
        optional: false,
        extends_schema: true,
        toggle_hint: 'Select from list',
        toggle_field: { name: 'auth_type', label: 'Authentication', type: 'string', control_type: 'text', optional: false, toggle_hint: 'Use custom value', hint: 'api_key or client_credentials' },
        hint: 'An API key on every request, or OAuth2 client credentials: the key is exchanged for bearer tokens that expire within the hour.',
      },
      { ...apiKeyField, ngIf: 'input.auth_type != "client_credentials"' },
      { name: 'client_id', label: 'Client ID', type: 'string', control_type: 'text', optional: false, ngIf: clientCredentials, hint: "The API key's ID (GET /v1/api-keys lists them)." },
      { name: 'client_secret', label: 'Client secret', type: 'string', control_type: 'password', optional: false, ngIf: clientCredentials, hint: `The API key itself (tajo_…). ${SCOPES_HINT}` },
    ],
    authorization: {
      type: 'custom_auth',
      acquire: lambda(
        ['connection'],
        `next {} unless connection['auth_type'] == 'client_credentials'

token = post(${rubyString(relativePath(token.path))})
        .payload(grant_type: 'client_credentials', client_id: connection['client_id'], client_secret: connection['client_secret'])
        .request_format_www_form_urlencoded
        .after_error_response(400, 401) do |code, body, _headers, message|
          error(call('problem_message', code, body, message))
        end
{ access_token: token['access_token'] }`,
      ),
      refresh_on: [401],
      apply: lambda(
        ['connection'],
        `if connection['auth_type'] == 'client_credentials'
  headers('Authorization' => "Bearer #{connection['access_token']}")
else
  headers('X-API-Key' => connection['api_key'])
end`,
      ),
    },
    base_uri: baseUri,
  };
}

function testBody(catalog: OperationCatalog): string {
  const operation = catalog.operations.find((candidate) => candidate.connectionTest)!;
  return `# ${operation.summary}: proves the URL and key, and names the workspace the key belongs to.
call('tajo_request', ${rubyString(operation.method)}, ${rubyString(relativePath(operation.path))}, nil, nil, nil)`;
}

/** `/v1/lists/{id}` → `"v1/lists/#{input['id'].to_s.encode_url}"` (relative, so a base URL path prefix is kept). */
function pathExpression(operation: CatalogOperation): string {
  const path = relativePath(operation.path);
  if (!path.includes('{')) return rubyString(path);
  return `"${path.replace(/\{(\w+)\}/g, (_match, name: string) => `#{input['${name}'].to_s.encode_url}`)}"`;
}

const relativePath = (path: string) => path.replace(/^\//, '');

function objectDefinitions(catalog: OperationCatalog): RubyValue {
  const used = new Set<string>();
  // Only what actions and triggers show: the token endpoint's and pick lists' schemas stay out.
  for (const operation of catalog.operations.filter((candidate) => candidate.action || candidate.trigger)) {
    referencedComponents([operation.requestBody, operation.response, operation.parameters], catalog.schemas, used);
  }
  for (const operation of catalog.operations) {
    for (const trigger of operation.webhooks?.triggers ?? []) referencedComponents({ $ref: `#/components/schemas/${trigger.schema}` }, catalog.schemas, used);
  }
  return Object.fromEntries(
    [...used].sort().map((component) => [
      definitionName(component),
      { fields: lambda(['_connection', '_config_fields', 'object_definitions'], ruby(objectFields(catalog.schemas[component]!))) },
    ]),
  );
}

/** Workato's description line: the title with its object and the app highlighted, "Upsert <contact> in <Tajo>". */
function description(title: string, object: string) {
  return lambda(['_input', '_pick_list_label'], rubyString(`${title.replace(object, `<span class="provider">${object}</span>`)} in <span class="provider">Tajo</span>`));
}

function actionTitle(action: ActionExtension): string {
  const verb = VERBS[action.verb];
  return action.title ?? `${verb.title} ${objectLabel(action.object, verb.plural)}`;
}

function action(catalog: OperationCatalog, operation: CatalogOperation): RubyValue {
  const extension = operation.action!;
  const title = actionTitle(extension);
  const verbTitle = VERBS[extension.verb].title;
  // What follows the verb (the first word, for a title of its own) is the object.
  const object = title.startsWith(`${verbTitle} `) ? title.slice(verbTitle.length + 1) : title.split(' ').slice(1).join(' ');
  const inputs = inputFields(catalog, operation);
  return {
    title,
    subtitle: `${operation.summary} in Tajo`,
    description: description(title, object),
    help: [operation.description, mergesClearableRecord(catalog, operation) ? EMPTY_FIELDS_HELP : undefined, `Needs an API key with the ${operation.scope} scope.`].filter(Boolean).join(' '),
    batch: extension.batch ? true : undefined,
    input_fields: lambda(['object_definitions', '_connection', '_config_fields'], inputs),
    execute: lambda(['_connection', 'input', '_input_schema', '_output_schema'], executeBody(catalog, operation)),
    output_fields: lambda(['object_definitions', '_connection', '_config_fields'], outputFields(catalog, operation)),
    sample_output: lambda(['_connection', '_input'], ruby(sampleOutput(catalog, operation))),
    retry_on_response: RETRY_ON_RESPONSE,
    retry_on_request: [operation.method.toUpperCase()],
    max_retries: MAX_RETRIES,
  };
}

/** Input fields: path and query parameters, the body's fields (as its object definition), the Idempotency-Key. */
function inputFields(catalog: OperationCatalog, operation: CatalogOperation): string {
  const object = labelize(operation.action!.object);
  const options = { pickLists: operation.action?.pickLists, labels: { id: operation.action?.pickLists?.id ? object : `${object} ID` } };
  const parts: string[] = [];
  const parameters = operation.parameters.map((parameter) => field(parameter.name, { ...parameter.schema, description: parameter.description }, !parameter.required, options));
  if (parameters.length > 0) parts.push(ruby(parameters));
  const body = operation.requestBody;
  if (body) {
    const component = refName(body);
    const hasPickList = Object.keys(propertiesOf(catalog.schemas, body)).some((name) => options.pickLists?.[name]);
    // A body field with a pick list needs its own field definition; otherwise the shared object definition serves.
    if (component && !hasPickList) parts.push(ruby(objectDefinition(component)));
    else parts.push(ruby(objectFields(resolveSchema(catalog.schemas, body), options)));
  }
  if (mergesClearableRecord(catalog, operation)) {
    if (inputNames(catalog, operation).includes(CLEAR_EMPTY_FIELDS)) throw new Error(`${operation.operationId}: an input named ${CLEAR_EMPTY_FIELDS} would collide with the connector's option`);
    parts.push(ruby([CLEAR_EMPTY_FIELDS_FIELD]));
  }
  if (operation.idempotent) parts.push(ruby([idempotencyField(operation.action?.repeatable === true)]));
  return parts.length > 0 ? parts.join(' +\n') : '[]';
}

function executeBody(catalog: OperationCatalog, operation: CatalogOperation): string {
  const query = operation.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
  const bodyNames = Object.keys(propertiesOf(catalog.schemas, operation.requestBody));
  const fields = `input.slice(${bodyNames.map(rubyString).join(', ')})`;
  const merging = mergesClearableRecord(catalog, operation);
  const args = [
    rubyString(operation.method),
    pathExpression(operation),
    query.length > 0 ? `input.slice(${query.map(rubyString).join(', ')})` : 'nil',
    !operation.requestBody ? 'nil' : merging ? 'body' : fields,
    idempotencyKey(operation),
  ];
  const request = `call('tajo_request', ${args.join(', ')})`;
  const batch = operation.action?.batch;
  const send = batch ? `response = ${request}\ncall('split_batch', response[${rubyString(batch.results)}])` : request;
  if (!merging) return send;
  // The option is true (boolean_conversion), or the text 'true' where no conversion ran: `.to_s` reads both.
  return `# Fields mapped to empty values are left out, so Tajo keeps its values; sent as null (cleared) when the option is on.
body = call('merge_payload', ${fields}, input[${rubyString(CLEAR_EMPTY_FIELDS)}].to_s == 'true')
${send}`;
}

/** The Idempotency-Key an action sends: the builder's, else (unless repeating is harmless) one derived from the input. */
function idempotencyKey(operation: CatalogOperation): string {
  if (!operation.idempotent) return 'nil';
  if (operation.action?.repeatable) return "input['idempotency_key'].presence";
  return `call('idempotency_key', ${rubyString(operation.operationId)}, input)`;
}

function batchItemComponent(catalog: OperationCatalog, operation: CatalogOperation): string {
  const results = propertiesOf(catalog.schemas, operation.response)[operation.action!.batch!.results]!;
  const component = refName((results.items as JsonSchema | undefined) ?? {});
  if (!component) throw new Error(`${operation.operationId}: batch results must be a list of a component schema`);
  return component;
}

function outputFields(catalog: OperationCatalog, operation: CatalogOperation): string {
  if (operation.action?.batch) {
    const item = ruby(objectDefinition(batchItemComponent(catalog, operation)));
    const listIndex = ruby([LIST_INDEX_FIELD]);
    return `[
  { name: 'successful_records', label: 'Successful records', type: 'array', of: 'object', optional: false, properties: ${item} + ${listIndex.replace(/\n/g, '\n  ')} },
  { name: 'failed_records', label: 'Failed records', type: 'array', of: 'object', optional: false, properties: ${item} + ${listIndex.replace(/\n/g, '\n  ')} },
  { name: 'success_count', label: 'Success count', type: 'integer', optional: false },
  { name: 'failed_count', label: 'Failed count', type: 'integer', optional: false }
]`;
  }
  return responseFields(catalog, operation.response);
}

function responseFields(catalog: OperationCatalog, response: JsonSchema | undefined): string {
  if (!response) return '[]';
  const component = refName(response);
  return ruby(component ? objectDefinition(component) : objectFields(response));
}

/** The answer's example from the spec; a batch answer split the way the action splits it. */
function sampleOutput(catalog: OperationCatalog, operation: CatalogOperation): RubyValue {
  const sample = exampleOf(catalog, operation.response) as Record<string, unknown> | undefined;
  const batch = operation.action?.batch;
  if (!batch) return (sample ?? {}) as RubyValue;
  const results = ((sample?.[batch.results] as Record<string, unknown>[] | undefined) ?? [exampleOf(catalog, { $ref: `#/components/schemas/${batchItemComponent(catalog, operation)}` })]) as Record<string, unknown>[];
  const withIndex: Record<string, unknown>[] = results.map((result) => ({ ...result, list_index: result.index }));
  const failed = withIndex.filter((result) => result.status === 'rejected');
  const successful = withIndex.filter((result) => result.status !== 'rejected');
  return { successful_records: successful, failed_records: failed, success_count: successful.length, failed_count: failed.length } as RubyValue;
}

/** A schema's example: its own, else one assembled from its parts' examples and types. */
export function exampleOf(catalog: Pick<OperationCatalog, 'schemas'>, schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 8) return undefined;
  if (schema.example !== undefined) return schema.example;
  const component = refName(schema);
  if (component) return exampleOf(catalog, catalog.schemas[component], depth + 1);
  if (Array.isArray(schema.anyOf)) {
    const present = (schema.anyOf as JsonSchema[]).find((option) => option.type !== 'null');
    return exampleOf(catalog, present, depth + 1) ?? null;
  }
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.type) && schema.type.includes('null')) return null;
  const type = schema.type;
  switch (type) {
    case 'object': {
      const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
      return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, exampleOf(catalog, property, depth + 1) ?? null]));
    }
    case 'array': {
      // A list of blank text (a list of names with no example, e.g. `skipped`) reads best as an empty list.
      const item = exampleOf(catalog, schema.items as JsonSchema | undefined, depth + 1);
      return item === undefined || item === '' ? [] : [item];
    }
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'date-time') return '2026-11-23T09:15:02.000Z';
      if (schema.format === 'uuid') return '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31';
      return (schema.default as string | undefined) ?? '';
    default:
      return undefined;
  }
}

/** A polling trigger over a search ordered by a timestamp; the closure holds the position. */
function pollingTrigger(catalog: OperationCatalog, operation: CatalogOperation): [string, RubyValue] {
  const trigger = operation.trigger!;
  const item = itemComponent(catalog, operation);
  const filters = operation.parameters.filter(
    (parameter) => parameter.in === 'query' && !['cursor', 'limit'].includes(parameter.name) && parameter.schema.format !== 'date-time',
  );
  const options = { pickLists: operation.action?.pickLists };
  // A search under a path (the records of one object type) polls that path: its parameters come first, required.
  const pathFields = operation.parameters.filter((parameter) => parameter.in === 'path').map((parameter) => field(parameter.name, { ...parameter.schema, description: parameter.description }, false, options));
  const filterFields = filters.map((parameter) => field(parameter.name, { ...parameter.schema, description: parameter.description }, true, options));
  const sinceField: RubyValue = {
    name: 'since',
    label: 'When first started, this recipe should pick up records from',
    type: 'date_time',
    control_type: 'date_time',
    optional: true,
    sticky: true,
    hint: 'Leave blank to start from one hour ago. Once the recipe has run, changing this has no effect.',
  };
  const timestamp = rubyString(trigger.timestamp);
  const poll = `closure ||= {}
query = input.slice(${filters.map((parameter) => rubyString(parameter.name)).join(', ')}).merge('limit' => ${POLL_PAGE_SIZE})
# Workato hands the closure back with its times parsed: written out again as the API's UTC ISO-8601.
previous = closure['boundary'].presence && closure['boundary'].to_time.utc.iso8601(3)
query[${rubyString(trigger.since)}] = (closure['since'].presence || input['since'].presence || 1.hour.ago).to_time.utc.iso8601(3)
query['cursor'] = closure['cursor'] if closure['cursor'].present?
page = call('tajo_request', 'get', ${pathExpression(operation)}, query, nil, nil)
records = page['data']
stamps = records.map { |record| record[${timestamp}].to_time.utc.iso8601(3) }
keys = records.map { |record| "#{record['id']}@#{record[${timestamp}]}" }
# Records at the boundary time were delivered before: skip them, not the ones after. A batch write
# gives many records one timestamp, across pages, so the boundary's keys add up until it moves.
seen = closure['seen'] || []
fresh = records.reject.with_index { |_record, index| seen.include?(keys[index]) }
boundary = stamps.last || previous
at_boundary = keys.select.with_index { |_key, index| stamps[index] == boundary }
seen = ((previous == boundary ? seen : []) + at_boundary).uniq
more = page['nextCursor'].present?
next_closure = { 'since' => more ? query[${rubyString(trigger.since)}] : (boundary || query[${rubyString(trigger.since)}]), 'boundary' => boundary, 'seen' => seen }
next_closure['cursor'] = page['nextCursor'] if more
{ events: fresh, next_poll: next_closure, can_poll_more: more }`;
  const label = objectLabel(trigger.object);
  return [
    snakeCase(trigger.title),
    {
      title: trigger.title,
      subtitle: `Triggers when ${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label} is ${trigger.title.toLowerCase().includes('updated') ? 'created or updated' : 'created'} in Tajo`,
      description: description(trigger.title, label),
      help: `Checks Tajo for ${objectLabel(trigger.object, true)} by ${labelize(trigger.timestamp).toLowerCase()}, oldest first, and never delivers the same version twice. Needs an API key with the ${operation.scope} scope.`,
      input_fields: lambda(['_object_definitions', '_connection', '_config_fields'], ruby([...pathFields, sinceField, ...filterFields])),
      poll: lambda(['_connection', 'input', 'closure'], poll),
      dedup: lambda(['record'], `"#{record['id']}@#{record[${timestamp}]}"`),
      output_fields: lambda(['object_definitions', '_connection', '_config_fields'], ruby(objectDefinition(item))),
      sample_output: lambda(['_connection', '_input'], ruby((exampleOf(catalog, { $ref: `#/components/schemas/${item}` }) ?? {}) as RubyValue)),
    },
  ];
}

/**
 * Dynamic webhook triggers: subscribing registers the recipe's callback URL for the trigger's event
 * types, unsubscribing removes it, and a notification is the record in `data`. No Idempotency-Key
 * on subscribe: a recipe restarted within a day would get back the subscription it removed.
 */
function webhookTriggers(catalog: OperationCatalog, operation: CatalogOperation): [string, RubyValue][] {
  const webhooks = operation.webhooks!;
  const unsubscribe = [...catalog.operations, ...catalog.skipped].find((candidate) => candidate.operationId === webhooks.unsubscribe)!;
  return webhooks.triggers.map((trigger) => {
    const label = objectLabel(trigger.object);
    const timestamp = rubyString(trigger.timestamp);
    const subscription = `{ 'url' => webhook_url, 'events' => [${trigger.events.map(rubyString).join(', ')}], 'description' => "Workato recipe #{recipe_id}: ${trigger.title}" }`;
    return [
      snakeCase(trigger.title),
      {
        title: trigger.title,
        subtitle: `Triggers at once when Tajo announces ${trigger.events.join(' or ')}`,
        description: description(trigger.title, label),
        help: `Tajo sends signed notifications to this recipe as ${trigger.events.join(' or ')} happens, retrying when Workato is unavailable. Starting the recipe subscribes it; stopping it unsubscribes. Needs an API key with the ${operation.scope} scope.`,
        input_fields: lambda(['_object_definitions', '_connection', '_config_fields'], '[]'),
        webhook_subscribe: lambda(['webhook_url', '_connection', '_input', 'recipe_id'], `call('tajo_request', ${rubyString(operation.method)}, ${rubyString(relativePath(operation.path))}, nil, ${subscription}, nil)`),
        // Workato calls it with the subscription alone.
        webhook_unsubscribe: lambda(
          ['webhook_subscribe_output'],
          `# Already gone (removed by hand, or disabled by Tajo) is what unsubscribing wants; {} is the JSON body Workato's ${unsubscribe.method} sends.
${unsubscribe.method}("${relativePath(unsubscribe.path).replace('{id}', "#{webhook_subscribe_output['id'].to_s.encode_url}")}", {}).after_error_response(404) do |_code, _body, _headers, _message|
  {}
end`,
        ),
        // Workato runs this without HTTP or connector methods: it only unwraps the record.
        webhook_notification: lambda(['_input', 'payload', '_extended_input_schema', '_extended_output_schema', '_headers', '_params'], "payload['data']"),
        dedup: lambda(['record'], `"#{record['id']}@#{record[${timestamp}]}"`),
        output_fields: lambda(['object_definitions', '_connection', '_config_fields'], ruby(objectDefinition(trigger.schema))),
        sample_output: lambda(['_connection', '_input'], ruby((exampleOf(catalog, { $ref: `#/components/schemas/${trigger.schema}` }) ?? {}) as RubyValue)),
      },
    ];
  });
}

/** The component of a page's `data` items. */
function itemComponent(catalog: OperationCatalog, operation: CatalogOperation): string {
  const data = propertiesOf(catalog.schemas, operation.response).data;
  const component = refName((data?.items as JsonSchema | undefined) ?? {});
  if (!component) throw new Error(`${operation.operationId}: a trigger's search must answer { data: [component] }`);
  return component;
}

function pickList(operation: CatalogOperation): [string, RubyValue] {
  const list = operation.pickList!;
  const limit = operation.parameters.some((parameter) => parameter.name === 'limit') ? "{ 'limit' => 200 }" : 'nil';
  return [
    list.name,
    lambda(
      ['_connection'],
      `call('tajo_request', 'get', ${rubyString(relativePath(operation.path))}, ${limit}, nil, nil)['data'].map { |item| [item[${rubyString(list.label)}], item[${rubyString(list.value)}]] }`,
    ),
  ];
}

function methods(): RubyValue {
  const titles = Object.fromEntries(PROBLEM_CATEGORIES.map((category) => [category, problemTitle(category)]));
  return {
    tajo_request: lambda(
      ['verb', 'path', 'query', 'body', 'idempotency_key'],
      `# Workato's post/put/patch/delete always send JSON, and the API refuses an empty JSON body: {} stands for none.
request = case verb
          when 'get' then get(path, query || {})
          when 'post' then post(path, body || {})
          when 'put' then put(path, body || {})
          when 'patch' then patch(path, body || {})
          when 'delete' then delete(path, body || {})
          else error("Unsupported HTTP method #{verb}")
          end
request = request.params(query) if verb != 'get' && query.present?
request = request.headers('Idempotency-Key' => idempotency_key) if idempotency_key.present?
# 429 and 5xx are left to Workato's retries (retry_on_response); the rest become readable errors.
request.after_error_response(${FINAL_ERROR_CODES.join(', ')}) do |code, response_body, _headers, message|
  error(call('problem_message', code, response_body, message))
end`,
    ),
    problem_message: lambda(
      ['code', 'body', 'message'],
      `problem = body.is_a?(Hash) ? body : (workato.parse_json(body.to_s) rescue nil)
return "Tajo answered HTTP #{code}: #{message}" unless problem.is_a?(Hash)

titles = ${ruby(titles).replace(/\n/g, '\n')}
category = problem['type'].to_s
text = "#{titles[category.to_sym] || 'Tajo error'} (#{category.presence || 'error'}, HTTP #{code}): #{problem['detail']}"
fixes = (problem['errors'] || []).map { |item| "#{item['field']}: #{item['reason']}" }
text = "#{text} Fix: #{fixes.join('; ')}." if fixes.present?
text = "#{text} Check the API key and its scopes in the Tajo connection." if %w[authentication permission].include?(category)
text = "#{text} Request ID: #{problem['requestId']}." if problem['requestId'].present?
text`,
    ),
    // Derived keys name the operation: the same input to two operations (delete, then erase) is two requests.
    idempotency_key: lambda(
      ['operation', 'input'],
      `input['idempotency_key'].presence || "workato-#{operation}-#{input.except('idempotency_key').to_json.encode_sha256.encode_hex}"`,
    ),
    // What a merging write sends: in every object, however deep (a batch's records, attributes,
    // consent), a field of nil or '' is left out, or null when clear_empty; an object left with no
    // field says nothing to a merge and is left out too. Lists keep every item, so a batch's
    // results still line up with its records.
    merge_payload: lambda(
      ['value', 'clear_empty'],
      `if value.is_a?(Hash)
  value.each_with_object({}) do |(key, item), payload|
    item = call('merge_payload', item, clear_empty)
    if item.nil? || item == ''
      payload[key] = nil if clear_empty
    elsif item != {}
      payload[key] = item
    end
  end
elsif value.is_a?(Array)
  value.map { |item| call('merge_payload', item, clear_empty) }
else
  value
end`,
    ),
    split_batch: lambda(
      ['results'],
      `indexed = results.map { |result| result.merge('list_index' => result['index']) }
failed, successful = indexed.partition { |result| result['status'] == 'rejected' }
{
  'successful_records' => successful,
  'failed_records' => failed,
  'success_count' => successful.size,
  'failed_count' => failed.size
}`,
    ),
  };
}

/** The names of the spec's operations a connector must offer, for tests: operationId → action/trigger keys. */
export function connectorKeys(spec: OpenApiDocument) {
  const catalog = readCatalog(spec);
  return {
    actions: catalog.operations.filter((operation) => operation.action).map((operation) => ({ operationId: operation.operationId, key: snakeCase(operation.operationId), inputs: inputNames(catalog, operation) })),
    triggers: catalog.operations.filter((operation) => operation.trigger).map((operation) => ({ operationId: operation.operationId, key: snakeCase(operation.trigger!.title) })),
    pickLists: catalog.operations.filter((operation) => operation.pickList).map((operation) => operation.pickList!.name),
  };
}
