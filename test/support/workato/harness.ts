/**
 * Runs connector/connector.rb in Ruby (WebAssembly, @ruby/3.4-wasm-wasi) with harness.rb standing
 * in for the part of Workato's runtime the connector uses. Requests go to the running API over real
 * HTTP. This is not Workato's runtime: it checks that the connector and the API agree.
 */
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { RubyVM } from '@ruby/wasm-wasi';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

export interface HarnessRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  status: number;
}

export type HarnessResult =
  | { ok: true; value: Json; requests: HarnessRequest[]; connection: Connection; acquisitions: number }
  | { ok: false; error: string; class: string; requests: HarnessRequest[] };

/** The connection's fields: base_url, and api_key, or auth_type client_credentials with client_id and client_secret. */
export type Connection = { base_url: string } & Record<string, string>;

type Command = { kind: string; key?: string; args?: Json[] };

/** Node's WebAssembly global (the project's TypeScript libs describe its types, not the value). */
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> };

declare global {
  var workatoHarnessHttp: ((request: string) => Promise<string>) | undefined;
  var workatoHarnessCommand: string | undefined;
}

const rubyWasm = new URL('../../../node_modules/@ruby/3.4-wasm-wasi/dist/ruby+stdlib.wasm', import.meta.url);

/** One Ruby VM holding the connector; commands run one at a time. */
export class WorkatoHarness {
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly vm: RubyVM,
    private connection: Connection,
  ) {}

  /** Loads a connector's source (the committed file by default) into a fresh Ruby VM. */
  static async load(connection: Connection, source?: string): Promise<WorkatoHarness> {
    const connector = source ?? (await readFile(new URL('../../../connector/connector.rb', import.meta.url), 'utf8'));
    const module = await WebAssembly.compile(await readFile(rubyWasm));
    const { vm } = await RubyVM.instantiateModule({ module, wasip1: new WASI({ version: 'preview1', returnOnExit: true }) });
    globalThis.workatoHarnessHttp = send;
    vm.eval(await readFile(new URL('./harness.rb', import.meta.url), 'utf8'));
    // The connector is a Ruby expression: evaluating it must give the Hash Workato reads.
    globalThis.workatoHarnessCommand = connector;
    vm.eval(`$connector = eval(JS.global[:workatoHarnessCommand].to_s, binding, 'connector.rb')`);
    return new WorkatoHarness(vm, connection);
  }

  /** Evaluates Ruby in the VM (for structural checks of the connector). */
  eval(ruby: string): string {
    return this.vm.eval(ruby).toString();
  }

  run(command: Command): Promise<HarnessResult> {
    const next = this.#queue.then(async () => {
      globalThis.workatoHarnessCommand = JSON.stringify({ ...command, connection: this.connection });
      const answer = await this.vm.evalAsync(`WorkatoHarness.run($connector, JSON.parse(JS.global[:workatoHarnessCommand].to_s))`);
      const result = JSON.parse(answer.toString()) as HarnessResult;
      // Credentials acquired on the way (an OAuth2 access token) stay in the connection, as in Workato.
      if (result.ok) this.connection = result.connection;
      return result;
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Runs a command that must succeed and returns its value. */
  async value(command: Command): Promise<Json> {
    const result = await this.run(command);
    if (!result.ok) throw new Error(`${command.kind} ${command.key ?? ''} failed: ${result.class}: ${result.error}`);
    return result.value;
  }

  execute(action: string, input: Json) {
    return this.run({ kind: 'execute', key: action, args: [input] });
  }

  poll(trigger: string, input: Json, closure: Json) {
    return this.value({ kind: 'poll', key: trigger, args: [input, closure] }) as Promise<{ events: Json[]; next_poll: Json; can_poll_more: boolean }>;
  }
}

async function send(request: string): Promise<string> {
  const { method, url, headers, body } = JSON.parse(request) as { method: string; url: string; headers: Record<string, string>; body: string | null };
  const host = new URL(url).hostname;
  // Tests and demos talk to loopback only.
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') return JSON.stringify({ status: 599, statusText: 'refused', headers: {}, body: `harness refuses non-loopback ${host}` });
  const response = await fetch(url, { method, headers, ...(body === null ? {} : { body }) });
  return JSON.stringify({ status: response.status, statusText: response.statusText, headers: Object.fromEntries(response.headers), body: await response.text() });
}

interface WorkatoField {
  name: string;
  type?: string;
  of?: string;
  optional?: boolean;
  properties?: WorkatoField[];
}

/**
 * Where a value disagrees with the connector's declared fields: keys the fields do not declare,
 * required fields missing, values of another type. Empty when they agree.
 */
export function conformance(fields: Json, value: Json, path = '$'): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object, got ${JSON.stringify(value)}`];
  const declared = fields as unknown as WorkatoField[];
  const problems: string[] = [];
  const byName = new Map(declared.map((field) => [field.name, field]));
  for (const key of Object.keys(value)) if (!byName.has(key)) problems.push(`${path}.${key}: not declared in the connector's fields`);
  for (const field of declared) {
    const at = `${path}.${field.name}`;
    const item = value[field.name];
    if (item === undefined) {
      if (field.optional === false) problems.push(`${at}: required by the connector, missing from the answer`);
      continue;
    }
    if (item === null) continue;
    problems.push(...typeProblems(field, field.type ?? 'string', item, at));
  }
  return problems;
}

function typeProblems(field: WorkatoField, type: string, item: Json, at: string): string[] {
  switch (type) {
    case 'object':
      return field.properties ? conformance(field.properties as unknown as Json, item, at) : typeof item === 'object' && !Array.isArray(item) ? [] : [`${at}: expected an object`];
    case 'array':
      if (!Array.isArray(item)) return [`${at}: expected an array`];
      return item.flatMap((element, index) => (element === null ? [] : typeProblems(field, field.of ?? 'string', element, `${at}[${index}]`)));
    case 'integer':
      return Number.isInteger(item) ? [] : [`${at}: expected an integer, got ${JSON.stringify(item)}`];
    case 'number':
      return typeof item === 'number' ? [] : [`${at}: expected a number, got ${JSON.stringify(item)}`];
    case 'boolean':
      return typeof item === 'boolean' ? [] : [`${at}: expected a boolean, got ${JSON.stringify(item)}`];
    case 'date_time':
      return typeof item === 'string' && !Number.isNaN(Date.parse(item)) ? [] : [`${at}: expected a date-time, got ${JSON.stringify(item)}`];
    default:
      return typeof item === 'string' ? [] : [`${at}: expected text, got ${JSON.stringify(item)}`];
  }
}
