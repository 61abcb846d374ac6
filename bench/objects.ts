/**
 * npm run bench:objects — activation of 10,000 custom object records, each associated with one of
 * 5,000 contacts, on real PostgreSQL, against the Brevo simulator enforcing Brevo's general-tier
 * limits (objects and processes count against the family allowed 100 requests an hour).
 *
 * The API runs as its own process with its activation workers. Brevo is connected and its object
 * type defined first (Brevo's API creates none); the contacts are written, then the records with
 * their associations, and the clock runs from the first record write until Tajo has recorded every
 * record and every association as held by Brevo.
 *
 * Beside it, the naive baseline on a sample: one POST /objects/{type}/batch/upsert per record (its
 * association included), sequential, as a connector without batching would. At 100 requests an
 * hour, its sustained rate is bounded by the limit, reported beside the sample's measured pace.
 * Results go to bench/results/objects.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { GENERAL_TIER_LIMITS } from '../api/src/brevo/rate-limit.ts';
import { startBrevoSimulator, type BrevoSimulator } from '../api/src/simulators/brevo/server.ts';
import type { ObjectTypeDefinition } from '../api/src/simulators/brevo/objects.ts';
import { createScratchDatabase } from '../test/support/scratch-database.ts';
import { startApi } from '../scripts/lib/api-process.ts';

const RECORDS = Number(process.env.BENCH_OBJECT_RECORDS ?? 10_000);
const CONTACTS = RECORDS / 2;
/** Small enough to stay inside one hour's allowance of the baseline's own account. */
const BASELINE_SAMPLE = 50;
const BREVO_KEY = 'xkeysib-bench-objects';
const BASELINE_KEY = 'xkeysib-bench-objects-baseline';
const TYPE: ObjectTypeDefinition = { attributes: { code: 'text', total: 'number', status: 'text' }, associations: ['contact'] };

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const order = (i: number) => ({ attributes: { code: `O-${i}`, total: i % 997, status: i % 2 ? 'paid' : 'open' }, associations: [{ objectType: 'contact', externalId: `c:${i % CONTACTS}` }] });

/** One upsert per record, in sequence, not following its process. */
async function naiveBaseline(brevo: BrevoSimulator) {
  brevo.state.objects.defineType('order', TYPE);
  // Its contacts are there already: only the records' own requests are counted.
  for (let i = 0; i < BASELINE_SAMPLE; i += 1) brevo.state.write({ email: `c${i}@example.com`, extId: `c:${i}` }, true);
  const started = performance.now();
  for (let i = 0; i < BASELINE_SAMPLE; i += 1) {
    const { attributes, associations } = order(i);
    const record = { identifiers: { ext_id: attributes.code }, attributes, associations: associations.map((a) => ({ object_type: a.objectType, records: [{ identifiers: { ext_id: a.externalId } }] })) };
    const response = await fetch(`${brevo.baseUrl}/objects/order/batch/upsert`, { method: 'POST', headers: { 'api-key': BASELINE_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ records: [record] }) });
    await response.arrayBuffer();
  }
  const seconds = (performance.now() - started) / 1000;
  const { limit, windowSeconds } = GENERAL_TIER_LIMITS.other;
  return {
    sample: BASELINE_SAMPLE,
    sample_seconds: round(seconds, 2),
    sample_records_per_s: round(BASELINE_SAMPLE / seconds),
    requests_per_10k: round((brevo.state.requests.length / BASELINE_SAMPLE) * 10_000, 0),
    sustained_records_per_s_at_limit: round(limit / windowSeconds, 3),
  };
}

const serverUrl = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const database = await createScratchDatabase(serverUrl, 'tajo_bench_objects');
const brevo = await startBrevoSimulator({ apiKeys: [BREVO_KEY], limits: GENERAL_TIER_LIMITS });
const baselineBrevo = await startBrevoSimulator({ apiKeys: [BASELINE_KEY], limits: GENERAL_TIER_LIMITS });
const api = await startApi({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: '20', TAJO_ENCRYPTION_KEY: randomBytes(32).toString('hex'), BREVO_BASE_URL: brevo.baseUrl });
const sql = new pg.Client(database.url);
await sql.connect();
try {
  const call = async (method: 'POST' | 'PUT', path: string, body: unknown) => {
    const response = await fetch(`${api.url}${path}`, { method, headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey }, body: JSON.stringify(body) });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  };
  brevo.state.objects.defineType('order', TYPE);
  await call('PUT', '/v1/brevo/connection', { apiKey: BREVO_KEY, baseUrl: brevo.baseUrl });
  await call('POST', '/v1/object-types', {
    name: 'order',
    attributes: [{ name: 'code', type: 'text', required: true }, { name: 'total', type: 'number' }, { name: 'status', type: 'text' }],
    externalIdRule: { kind: 'attribute', attribute: 'code' },
    associations: ['contact'],
  });
  process.stdout.write(`writing ${CONTACTS.toLocaleString('en')} contacts, then ${RECORDS.toLocaleString('en')} object records associated with them…\n`);
  const started = performance.now();
  for (let from = 0; from < CONTACTS; from += 1_000) {
    await call('POST', '/v1/contacts/batch', { records: Array.from({ length: 1_000 }, (_, k) => ({ externalId: `c:${from + k}`, email: `c${from + k}@example.com` })) });
  }
  const recordsStarted = performance.now();
  for (let from = 0; from < RECORDS; from += 1_000) await call('POST', '/v1/objects/order/records/batch', { records: Array.from({ length: 1_000 }, (_, k) => order(from + k)) });
  const writeSeconds = (performance.now() - recordsStarted) / 1000;
  const baseline = naiveBaseline(baselineBrevo);
  for (;;) {
    const { rows } = await sql.query<{ done: string }>('SELECT (SELECT count(*) FROM brevo_object_states) + (SELECT count(*) FROM brevo_object_association_states) + (SELECT count(*) FROM dead_letters) AS done');
    if (Number(rows[0]!.done) >= 2 * RECORDS) break;
    await sleep(200);
  }
  const activationSeconds = (performance.now() - recordsStarted) / 1000;
  const deadLetters = Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM dead_letters')).rows[0]!.n);
  const held = brevo.state.objects.records('order');
  const linked = held.filter((record) => record.associations.get('contact')?.size === 1).length;
  if (held.length !== RECORDS || linked !== RECORDS) throw new Error(`Brevo holds ${held.length} records, ${linked} linked to their contact; expected ${RECORDS}`);
  // Objects and the processes that follow them (a few of those follow the contacts' import).
  const objectRequests = brevo.state.requests.filter((r) => r.route.startsWith('/v3/objects') || r.route.startsWith('/v3/processes'));
  const base = await baseline;
  const requestsPer10k = round((objectRequests.length / RECORDS) * 10_000, 1);
  const report = {
    measured_at: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    database: 'postgresql',
    records: RECORDS,
    contacts: CONTACTS,
    limits: GENERAL_TIER_LIMITS,
    object_records_activated_per_s: round(RECORDS / activationSeconds),
    contacts_write_seconds: round((recordsStarted - started) / 1000),
    records_write_seconds: round(writeSeconds),
    activation_seconds: round(activationSeconds),
    brevo_requests_per_10k_records: requestsPer10k,
    brevo_requests_by_route: Object.fromEntries([...new Set(objectRequests.map((r) => `${r.method} ${r.route}`))].map((route) => [route, objectRequests.filter((r) => `${r.method} ${r.route}` === route).length])),
    brevo_contact_requests: brevo.state.requests.length - objectRequests.length,
    received_429: brevo.state.count((r) => r.status === 429),
    dead_letters: deadLetters,
    baseline: base,
    requests_ratio_baseline_over_tajo: round(base.requests_per_10k / requestsPer10k, 0),
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(new URL('./results/objects.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    [
      '',
      `                                 Tajo   naive baseline`,
      `object records/s          ${String(report.object_records_activated_per_s).padStart(11)}   ${String(base.sustained_records_per_s_at_limit).padStart(14)} (sustained at 100/hour; ${base.sample_records_per_s}/s over its ${BASELINE_SAMPLE}-record sample)`,
      `Brevo requests per 10k    ${String(requestsPer10k).padStart(11)}   ${String(base.requests_per_10k).padStart(14)}`,
      `dead letters: ${deadLetters}; written to bench/results/objects.json`,
      '',
    ].join('\n'),
  );
} finally {
  await sql.end();
  await api.stop();
  await brevo.close();
  await baselineBrevo.close();
  await database.drop();
}
