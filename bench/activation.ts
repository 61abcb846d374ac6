/**
 * npm run bench:activation — Brevo activation of 100,000 contacts through the backfill path, on
 * real PostgreSQL, against the Brevo simulator enforcing Brevo's general-tier limits (contacts and
 * events 10 requests/s, other endpoints 100 requests/hour).
 *
 * The API runs as its own process (api/src/main.ts, activation workers in-process, as `npm start`
 * runs them). The contacts are written first through the batch endpoint; connecting Brevo then
 * queues the backfill, and the clock runs until Tajo has recorded every contact as activated.
 *
 * Beside it, in the same run and under the same limits (its own simulated account), the naive
 * baseline on a 1,000-record sample: one Brevo request per record, sequential, waiting out each 429
 * as the usual no-code connectors do. Results go to bench/results/activation.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Pool } from 'undici';
import { GENERAL_TIER_LIMITS, type EndpointFamily } from '../api/src/brevo/rate-limit.ts';
import { startBrevoSimulator, type BrevoSimulator, type RequestRecord } from '../api/src/simulators/brevo/server.ts';
import { createScratchDatabase } from '../test/support/scratch-database.ts';
import { startApi } from '../scripts/lib/api-process.ts';

const CONTACTS = Number(process.env.BENCH_ACTIVATION_CONTACTS ?? 100_000);
const BASELINE_SAMPLE = 1_000;
const BATCH_SIZE = 1_000;
const BREVO_KEY = 'xkeysib-bench-account';
const BASELINE_KEY = 'xkeysib-bench-baseline';

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function contact(i: number) {
  return { externalId: `bench:${i}`, email: `bench${i}@example.com`, firstName: `First${i}`, lastName: `Last${i}`, attributes: { plan: i % 3 === 0 ? 'pro' : 'free', seats: i % 50 } };
}

/** 429s after the family's first successful answer: what the bucket had the chance to learn from. */
function steadyState429s(requests: RequestRecord[]) {
  const learned = new Set<EndpointFamily>();
  let count = 0;
  for (const request of requests) {
    if (request.status < 300) learned.add(request.family);
    else if (request.status === 429 && learned.has(request.family)) count += 1;
  }
  return count;
}

/** Requests made against requests allowed in the time taken, per endpoint family. */
function rateShare(requests: RequestRecord[], seconds: number) {
  const share: Partial<Record<EndpointFamily, number>> = {};
  for (const family of Object.keys(GENERAL_TIER_LIMITS) as EndpointFamily[]) {
    const used = requests.filter((r) => r.family === family).length;
    if (used === 0) continue;
    const { limit, windowSeconds } = GENERAL_TIER_LIMITS[family];
    // A window's allowance is granted at its start: a run shorter than the window may use all of it.
    const allowed = limit * Math.max(1, Math.ceil(seconds / windowSeconds));
    share[family] = round(used / allowed, 3);
  }
  return share;
}

/** One POST /contacts per record, in sequence; a 429 is waited out (its reset header) and retried. */
async function naiveBaseline(brevo: BrevoSimulator) {
  const started = performance.now();
  for (let i = 0; i < BASELINE_SAMPLE; i += 1) {
    const record = contact(CONTACTS + i);
    for (;;) {
      const response = await fetch(`${brevo.baseUrl}/contacts`, {
        method: 'POST',
        headers: { 'api-key': BASELINE_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ email: record.email, ext_id: record.externalId, attributes: { FIRSTNAME: record.firstName, LASTNAME: record.lastName }, updateEnabled: true }),
      });
      await response.arrayBuffer();
      if (response.status !== 429) break;
      await sleep(Number(response.headers.get('x-sib-ratelimit-reset') ?? 1) * 1000);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const requests = brevo.state.requests.length;
  return { records: BASELINE_SAMPLE, seconds: round(seconds), records_per_s: round(BASELINE_SAMPLE / seconds), requests, requests_per_10k: round((requests / BASELINE_SAMPLE) * 10_000, 0), received_429: brevo.state.count((r) => r.status === 429) };
}

const serverUrl = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const database = await createScratchDatabase(serverUrl, 'tajo_bench_activation');
const brevo = await startBrevoSimulator({ apiKeys: [BREVO_KEY], limits: GENERAL_TIER_LIMITS });
const baselineBrevo = await startBrevoSimulator({ apiKeys: [BASELINE_KEY], limits: GENERAL_TIER_LIMITS });
const api = await startApi({
  DATABASE_URL: database.url,
  DATABASE_POOL_SIZE: '20',
  TAJO_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  BREVO_BASE_URL: brevo.baseUrl,
});
const sql = new pg.Client(database.url);
await sql.connect();
try {
  const http = new Pool(api.url, { connections: 8 });
  const call = async (method: 'POST' | 'PUT', path: string, body: unknown) => {
    const response = await http.request({ method, path, headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey }, body: JSON.stringify(body) });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`${method} ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as unknown;
  };

  process.stdout.write(`writing ${CONTACTS.toLocaleString('en')} contacts…\n`);
  const writeStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < CONTACTS) {
        const from = next;
        next += BATCH_SIZE;
        const records = Array.from({ length: Math.min(BATCH_SIZE, CONTACTS - from) }, (_, k) => contact(from + k));
        await call('POST', '/v1/contacts/batch', { records });
      }
    }),
  );
  const writeSeconds = (performance.now() - writeStarted) / 1000;

  process.stdout.write(`activating them in Brevo (backfill), and the naive baseline on ${BASELINE_SAMPLE.toLocaleString('en')} records beside it…\n`);
  const baseline = naiveBaseline(baselineBrevo);
  const activationStarted = performance.now();
  await call('PUT', '/v1/brevo/connection', { apiKey: BREVO_KEY, baseUrl: brevo.baseUrl });
  for (;;) {
    const { rows } = await sql.query<{ activated: string; letters: string }>('SELECT (SELECT count(*) FROM brevo_contact_states) AS activated, (SELECT count(*) FROM dead_letters) AS letters');
    const done = Number(rows[0]!.activated) + Number(rows[0]!.letters);
    if (done >= CONTACTS) break;
    await sleep(200);
  }
  const activationSeconds = (performance.now() - activationStarted) / 1000;
  await http.close();

  const deadLetters = Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM dead_letters')).rows[0]!.n);
  if (brevo.state.contacts.size !== CONTACTS - deadLetters) throw new Error(`Brevo holds ${brevo.state.contacts.size} contacts, expected ${CONTACTS - deadLetters}`);
  const requests = brevo.state.requests;
  const base = await baseline;
  const requestsPer10k = round((requests.length / CONTACTS) * 10_000, 1);
  const report = {
    measured_at: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    database: 'postgresql',
    contacts: CONTACTS,
    limits: GENERAL_TIER_LIMITS,
    activation_records_per_s: round(CONTACTS / activationSeconds),
    end_to_end_records_per_s: round(CONTACTS / (writeSeconds + activationSeconds)),
    write_seconds: round(writeSeconds),
    activation_seconds: round(activationSeconds),
    brevo_requests: requests.length,
    brevo_requests_by_route: Object.fromEntries([...new Set(requests.map((r) => `${r.method} ${r.route}`))].map((route) => [route, requests.filter((r) => `${r.method} ${r.route}` === route).length])),
    brevo_requests_per_10k: requestsPer10k,
    baseline_requests_per_10k: base.requests_per_10k,
    requests_ratio_baseline_over_tajo: round(base.requests_per_10k / requestsPer10k, 0),
    allowed_rate_share_used: rateShare(requests, activationSeconds),
    received_429: brevo.state.count((r) => r.status === 429),
    steady_state_429s: steadyState429s(requests),
    dead_letters: deadLetters,
    baseline: base,
    speedup_over_baseline: round(CONTACTS / activationSeconds / base.records_per_s, 0),
    targets: { requests_ratio_baseline_over_tajo: 100, steady_state_429s: 0, end_to_end_records_per_s: 2000 },
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(new URL('./results/activation.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  process.stdout.write(
    [
      '',
      `                         Tajo (backfill)   naive baseline`,
      `records/s                ${String(report.activation_records_per_s).padStart(15)}   ${String(base.records_per_s).padStart(14)}`,
      `Brevo requests per 10k   ${String(requestsPer10k).padStart(15)}   ${String(base.requests_per_10k).padStart(14)}`,
      `429s received            ${String(report.received_429).padStart(15)}   ${String(base.received_429).padStart(14)}`,
      '',
      `end to end (write + activation): ${report.end_to_end_records_per_s} contacts/s; allowed rate used: ${JSON.stringify(report.allowed_rate_share_used)}`,
      `targets: >= 100x fewer requests (${report.requests_ratio_baseline_over_tajo}x, ${verdict(report.requests_ratio_baseline_over_tajo >= 100)}), 0 steady-state 429s (${report.steady_state_429s}, ${verdict(report.steady_state_429s === 0)}), >= 2000 contacts/s end to end (${verdict(report.end_to_end_records_per_s >= 2000)})`,
      'written to bench/results/activation.json',
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
