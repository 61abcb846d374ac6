/**
 * npm run bench:workato — a backfill of 20,000 records (BENCH_WORKATO_RECORDS) published to a
 * simulated Workato Event Streams topic, read by Tajo and activated in the Brevo simulator, on real
 * PostgreSQL.
 *
 * The API runs as its own process (api/src/main.ts, sync and activation workers in-process, as
 * `npm start` runs them) with WORKATO_BASE_URL on the Workato simulator and BREVO_BASE_URL on the
 * Brevo simulator, which enforces Brevo's general-tier limits. The messages are published first;
 * the clock starts when the backfill job is started and stops (1) when the job has completed and
 * (2) when Tajo has recorded every contact as activated in Brevo. The consume calls the backfill
 * made are set against the ideal, ceil(N / 50) (Workato returns at most 50 messages a call).
 *
 * After it, in the same run and against the same API process, the naive baseline on a 1,000-record
 * sample of another topic: one consume call of batch 50, then one POST /v1/contacts/upsert per
 * record, in sequence, as a hand-built recipe does. Results go to bench/results/workato.json.
 * BENCH_PG_URL (or DATABASE_URL) names the PostgreSQL server (default 127.0.0.1:5432); a scratch
 * database is created on it and dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Pool } from 'undici';
import { GENERAL_TIER_LIMITS } from '../api/src/brevo/rate-limit.ts';
import { startBrevoSimulator } from '../api/src/simulators/brevo/server.ts';
import { startWorkatoSimulator } from '../api/src/simulators/workato/server.ts';
import { createScratchDatabase } from '../test/support/scratch-database.ts';
import { startApi } from '../scripts/lib/api-process.ts';

const RECORDS = Number(process.env.BENCH_WORKATO_RECORDS ?? 20_000);
const BASELINE_SAMPLE = 1_000;
/** Workato's ceiling of messages per consume call. */
const CONSUME_BATCH = 50;
const TOPIC = '8001';
const BASELINE_TOPIC = '8002';
const WORKATO_TOKEN = 'wrk_bench_api_client_token_0001';
const BREVO_KEY = 'xkeysib-bench-workato';
const SOURCE_NAME = 'bench-shop';
const TIMEOUT_MS = 150_000;

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A Workato record carrying a valid contact (the bench measures throughput, not rejections). */
function payload(i: number) {
  return { customer_id: `c-${i}`, email: `customer${i}@example.com`, first_name: `Name${i}`, plan: i % 3 === 0 ? 'pro' : 'free', updated_at: 1_732_350_000 + i };
}

const MAPPING = {
  externalId: '$string(customer_id)',
  contact: '{"email": email, "firstName": first_name, "sourceUpdatedAt": updated_at, "attributes": {"PLAN": plan}}',
};

interface SyncJob {
  id: string;
  status: string;
  progress: { recordsSeen: number; created: number; deadLettered: number; readCalls: number };
  lastError: { category: string; detail: string } | null;
}

const serverUrl = process.env.BENCH_PG_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const database = await createScratchDatabase(serverUrl, 'tajo_bench_workato');
const workato = await startWorkatoSimulator({ tokens: [WORKATO_TOKEN] });
const brevo = await startBrevoSimulator({ apiKeys: [BREVO_KEY], limits: GENERAL_TIER_LIMITS });
const api = await startApi({
  DATABASE_URL: database.url,
  DATABASE_POOL_SIZE: '20',
  TAJO_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  BREVO_BASE_URL: brevo.baseUrl,
  WORKATO_BASE_URL: workato.url,
});
const sql = new pg.Client(database.url);
await sql.connect();
const http = new Pool(api.url, { connections: 4 });
try {
  const call = async <T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> => {
    const response = await http.request({
      method,
      path,
      headers: { 'x-api-key': api.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`${method} ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  const until = async (what: string, done: () => Promise<boolean>) => {
    const deadline = Date.now() + TIMEOUT_MS;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };

  await call('PUT', '/v1/brevo/connection', { apiKey: BREVO_KEY, baseUrl: brevo.baseUrl });
  workato.publish(TOPIC, Array.from({ length: RECORDS }, (_, i) => payload(i)));
  workato.publish(BASELINE_TOPIC, Array.from({ length: BASELINE_SAMPLE }, (_, i) => payload(RECORDS + i)));
  const source = await call<{ id: string; smokeTest: { status: string } }>('POST', '/v1/sources', {
    kind: 'event_stream',
    name: SOURCE_NAME,
    token: WORKATO_TOKEN,
    eventStream: { topicId: TOPIC, batchSize: CONSUME_BATCH, longPollSeconds: 1 },
    mapping: MAPPING,
    backfillEnabled: true,
  });
  if (source.smokeTest.status !== 'passed') throw new Error(`the source's smoke test did not pass: ${JSON.stringify(source.smokeTest)}`);
  const consumesBefore = workato.consumeStats(TOPIC).consumeCalls;

  process.stdout.write(`backfilling ${RECORDS.toLocaleString('en')} Event Streams records from the Workato simulator through Tajo to the Brevo simulator…\n`);
  const started = performance.now();
  const { id: jobId } = await call<SyncJob>('POST', `/v1/sources/${source.id}/sync-jobs`, { kind: 'backfill' });
  let job: SyncJob | undefined;
  await until('the backfill job', async () => {
    job = await call<SyncJob>('GET', `/v1/sync-jobs/${jobId}`);
    if (job.status === 'failed' || job.status === 'cancelled') throw new Error(`the backfill job ended ${job.status}: ${JSON.stringify(job.lastError)}`);
    return job.status === 'completed';
  });
  const ingestSeconds = (performance.now() - started) / 1000;
  const backfill = job!;
  if (backfill.progress.created !== RECORDS) throw new Error(`the backfill created ${backfill.progress.created} contacts, expected ${RECORDS}: ${JSON.stringify(backfill.progress)}`);

  await until('every contact activated in Brevo', async () => {
    const { rows } = await sql.query<{ n: string }>('SELECT count(*) AS n FROM brevo_contact_states');
    return Number(rows[0]!.n) >= RECORDS;
  });
  const brevoSeconds = (performance.now() - started) / 1000;
  const inBrevo = [...brevo.state.contacts.values()].filter((contact) => contact.extId?.startsWith(`${SOURCE_NAME}:`)).length;
  if (inBrevo !== RECORDS) throw new Error(`Brevo holds ${inBrevo} contacts of the source, expected ${RECORDS}`);
  const consumeCalls = workato.consumeStats(TOPIC).consumeCalls - consumesBefore;
  // The backfill's Brevo traffic, before the baseline's contacts are activated too.
  const brevoRequests = [...brevo.state.requests];
  const idealConsumeCalls = Math.ceil(RECORDS / CONSUME_BATCH);

  process.stdout.write(`naive baseline on ${BASELINE_SAMPLE.toLocaleString('en')} records: one consume of ${CONSUME_BATCH}, then one upsert per record…\n`);
  const baselineStarted = performance.now();
  let after: string | undefined;
  let baselineConsumes = 0;
  let upserted = 0;
  while (upserted < BASELINE_SAMPLE) {
    const response = await fetch(`${workato.url}/api/v1/topics/${BASELINE_TOPIC}/consume`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WORKATO_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch_size: CONSUME_BATCH, ...(after ? { after_message_id: after } : {}) }),
    });
    if (!response.ok) throw new Error(`consume answered ${response.status}`);
    const { messages } = (await response.json()) as { messages: { message_id: string; payload: ReturnType<typeof payload> }[] };
    baselineConsumes += 1;
    if (messages.length === 0) throw new Error('the baseline topic ran dry');
    for (const message of messages) {
      const record = message.payload;
      await call('POST', '/v1/contacts/upsert', {
        externalId: `naive:${record.customer_id}`,
        email: record.email,
        firstName: record.first_name,
        sourceUpdatedAt: record.updated_at,
        attributes: { PLAN: record.plan },
      });
      upserted += 1;
    }
    after = messages.at(-1)!.message_id;
  }
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;

  const intoTajo = round(RECORDS / ingestSeconds);
  const toBrevo = round(RECORDS / brevoSeconds);
  const baselineRate = round(BASELINE_SAMPLE / baselineSeconds);
  const report = {
    measured_at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    database: 'postgresql',
    records: RECORDS,
    brevo_limits: GENERAL_TIER_LIMITS,
    workato_limits: 'none (the simulator answers as fast as it can)',
    into_tajo_records_per_s: intoTajo,
    into_tajo_seconds: round(ingestSeconds, 2),
    to_brevo_records_per_s: toBrevo,
    to_brevo_seconds: round(brevoSeconds, 2),
    consume_calls: consumeCalls,
    consume_calls_reported_by_job: backfill.progress.readCalls,
    consume_calls_ideal: idealConsumeCalls,
    consume_calls_over_ideal: round(consumeCalls / idealConsumeCalls, 3),
    brevo_requests: brevoRequests.length,
    brevo_requests_by_route: Object.fromEntries(
      [...new Set(brevoRequests.map((r) => `${r.method} ${r.route}`))].map((route) => [route, brevoRequests.filter((r) => `${r.method} ${r.route}` === route).length]),
    ),
    brevo_429s: brevoRequests.filter((r) => r.status === 429).length,
    baseline: {
      records: BASELINE_SAMPLE,
      seconds: round(baselineSeconds, 2),
      into_tajo_records_per_s: baselineRate,
      consume_calls: baselineConsumes,
      tajo_requests: BASELINE_SAMPLE,
    },
    into_tajo_speedup_over_baseline: round(intoTajo / baselineRate),
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(new URL('./results/workato.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  const row = (label: string, tajo: string | number, naive: string | number) => `${label.padEnd(30)}${String(tajo).padStart(15)}   ${String(naive).padStart(14)}`;
  process.stdout.write(
    [
      '',
      row('', 'Tajo (backfill)', 'naive baseline'),
      row('records', RECORDS, BASELINE_SAMPLE),
      row('records/s into Tajo', intoTajo, baselineRate),
      row('records/s to Brevo', toBrevo, '-'),
      row('consume calls', consumeCalls, baselineConsumes),
      row('consume calls, ideal', idealConsumeCalls, Math.ceil(BASELINE_SAMPLE / CONSUME_BATCH)),
      '',
      `consume calls over ideal ceil(N/${CONSUME_BATCH}): ${report.consume_calls_over_ideal} (${consumeCalls} / ${idealConsumeCalls}; the job counted ${backfill.progress.readCalls})`,
      `into Tajo: ${report.into_tajo_speedup_over_baseline}x the naive baseline; Brevo: ${report.brevo_requests} requests, ${report.brevo_429s} answered 429`,
      'written to bench/results/workato.json',
      '',
    ].join('\n'),
  );
} finally {
  await http.close();
  await sql.end();
  await api.stop();
  await workato.close();
  await brevo.close();
  await database.drop();
}
