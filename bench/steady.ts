/**
 * npm run bench:steady — activation under the load production lives on: single upserts arriving
 * at a constant rate, on real PostgreSQL, against the Brevo simulator enforcing Brevo's general
 * tier (contacts and events 10 requests/s, other endpoints 100/hour). The simulator carries imports
 * out 2 s after accepting them (BENCH_STEADY_IMPORT_DELAY_MS), as Brevo does in the background;
 * real latency adds Brevo's own processing time.
 *
 * 1. Rates: 5, 50 and 500 upserts a second for BENCH_STEADY_SECONDS (60) each, new contacts and
 *    updates of contacts already in Brevo: accept → in-Brevo lag p50/p95/p99, Brevo requests per
 *    contact, the backlog when the load stops and how long it takes to drain.
 * 2. Processes: the same mixed load (new contacts and updates, 50/s) with the API running no
 *    workers and 1, 2 and 3 `npm run worker` processes on one Brevo account: 429s received and
 *    clock seconds over the limit.
 * 3. Tenants: a workspace at 5/s alone, then beside another draining a 50,000-contact backlog
 *    (each its own Brevo account): the trickle's lag p99 against it alone.
 * 4. Sustained: new contacts at 500/s for BENCH_STEADY_SUSTAINED_SECONDS (600; 0 skips it): every
 *    contact in Brevo, the lag p99, and the requests of Brevo's hourly family.
 *
 * Each scenario has a workspace and a simulated Brevo account of its own. The API runs as its own
 * process, as `npm start` runs it. Results go to bench/results/steady.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { GENERAL_TIER_LIMITS, type EndpointFamily } from '../api/src/brevo/rate-limit.ts';
import { startBrevoSimulator, type BrevoSimulator, type RequestRecord } from '../api/src/simulators/brevo/server.ts';
import { createScratchDatabase, type ScratchDatabase } from '../test/support/scratch-database.ts';
import { startApi, type RunningApi } from '../scripts/lib/api-process.ts';

const SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 60);
const IMPORT_DELAY_MS = Number(process.env.BENCH_STEADY_IMPORT_DELAY_MS ?? 2_000);
const BACKLOG = Number(process.env.BENCH_STEADY_BACKLOG ?? 50_000);
const SUSTAINED_SECONDS = Number(process.env.BENCH_STEADY_SUSTAINED_SECONDS ?? 600);
/** How long a backlog may take to drain once the load stops before the run says it did not. */
const DRAIN_TIMEOUT_MS = 180_000;
const serverUrl = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REPO_ROOT = new URL('..', import.meta.url);

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

interface Tenant {
  apiKey: string;
  brevo: BrevoSimulator;
  brevoKey: string;
}

/** A workspace of its own (made as `npm run bootstrap` makes one), connected to a simulated Brevo account of its own. */
async function newTenant(api: RunningApi, env: Record<string, string>, name: string): Promise<Tenant> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bootstrap.ts', '--name', name, '--json'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`bootstrap exited with ${code}: ${output}`);
  const { apiKey } = JSON.parse(output) as { apiKey: string };
  const brevoKey = `xkeysib-bench-${randomBytes(4).toString('hex')}`;
  const brevo = await startBrevoSimulator({ apiKeys: [brevoKey], limits: GENERAL_TIER_LIMITS, importDelayMs: IMPORT_DELAY_MS });
  await call(api, apiKey, 'PUT', '/v1/brevo/connection', { apiKey: brevoKey, baseUrl: brevo.baseUrl });
  return { apiKey, brevo, brevoKey };
}

const pools = new Map<string, Pool>();
async function call(api: RunningApi, apiKey: string, method: 'POST' | 'PUT', path: string, body: unknown) {
  let http = pools.get(api.url);
  if (!http) pools.set(api.url, (http = new Pool(api.url, { connections: 64, pipelining: 1 })));
  const response = await http.request({ method, path, headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify(body) });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`${method} ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

const contact = (prefix: string, i: number, version: number) => ({ externalId: `${prefix}:${i}`, email: `${prefix}${i}@example.com`, firstName: `F${i}`, lastName: `L${version}` });

/**
 * Follows what Brevo holds: each accepted write waits until the simulated account holds the
 * contact with the write's last name, and its lag (acceptance → in Brevo) is recorded.
 */
class LagTracker {
  readonly #pending = new Map<string, { lastName: string; acceptedAt: number }>();
  readonly lags: number[] = [];
  #timer: NodeJS.Timeout;

  constructor(private readonly brevo: BrevoSimulator) {
    this.#timer = setInterval(() => this.#check(), 50);
  }

  accepted(externalId: string, lastName: string) {
    this.#pending.set(externalId, { lastName, acceptedAt: Date.now() });
  }

  get pending() {
    return this.#pending.size;
  }

  #check() {
    const now = Date.now();
    for (const [externalId, { lastName, acceptedAt }] of this.#pending) {
      if (this.brevo.state.byExtId(externalId)?.attributes.LASTNAME === lastName) {
        this.lags.push((now - acceptedAt) / 1000);
        this.#pending.delete(externalId);
      }
    }
  }

  async drained(timeoutMs: number): Promise<number | null> {
    const started = Date.now();
    while (this.#pending.size > 0) {
      if (Date.now() - started > timeoutMs) return null;
      await sleep(50);
    }
    return (Date.now() - started) / 1000;
  }

  stop() {
    clearInterval(this.#timer);
  }

  summary() {
    const sorted = [...this.lags].sort((a, b) => a - b);
    return { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? 0) };
  }
}

/** Writes contacts through the batch endpoint and waits until Brevo holds them all (the setup of an update load). */
async function seed(api: RunningApi, tenant: Tenant, prefix: string, count: number) {
  for (let from = 0; from < count; from += 1_000) {
    const records = Array.from({ length: Math.min(1_000, count - from) }, (_, k) => contact(prefix, from + k, 0));
    await call(api, tenant.apiKey, 'POST', '/v1/contacts/batch', { records });
  }
  while (tenant.brevo.state.contacts.size < count) await sleep(200);
}

type Kind = 'new' | 'update' | 'mixed';

/**
 * Sends single upserts at a constant rate for `seconds`, each on its own schedule (a slow answer
 * never delays the next request), and follows each to Brevo. Updates change contacts already in
 * Brevo (seeded first); a mixed load alternates a new contact and an update of the one before it.
 */
async function steadyLoad(api: RunningApi, tenant: Tenant, options: { rate: number; seconds: number; kind: Kind; prefix: string }) {
  const { rate, seconds, kind, prefix } = options;
  const total = Math.round(rate * seconds);
  if (kind === 'update') await seed(api, tenant, prefix, total);
  const tracker = new LagTracker(tenant.brevo);
  const requestsBefore = tenant.brevo.state.requests.length;
  const started = Date.now();
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    const target = kind === 'mixed' && i % 2 === 1 ? i - 1 : i;
    const record = contact(prefix, target, i + 1);
    inFlight.push(
      call(api, tenant.apiKey, 'POST', '/v1/contacts/upsert', record).then(
        () => tracker.accepted(record.externalId, record.lastName),
        () => void (failed += 1),
      ),
    );
  }
  await Promise.all(inFlight);
  const loadSeconds = (Date.now() - started) / 1000;
  const backlogAtEnd = tracker.pending;
  const drainSeconds = await tracker.drained(DRAIN_TIMEOUT_MS);
  tracker.stop();
  const requests = tenant.brevo.state.requests.slice(requestsBefore);
  return {
    kind,
    rate,
    sent: total,
    failed,
    achieved_rate: round(total / loadSeconds, 1),
    lag_s: tracker.summary(),
    backlog_at_end: backlogAtEnd,
    drain_s: drainSeconds === null ? `not drained in ${DRAIN_TIMEOUT_MS / 1000} s` : round(drainSeconds, 1),
    brevo_requests: requests.length,
    requests_per_contact: round(requests.length / total, 4),
    requests_by_route: byRoute(requests),
    received_429: requests.filter((r) => r.status === 429).length,
    seconds_over_limit: secondsOverLimit(requests),
    other_family_requests: requests.filter((r) => r.family === 'other').length,
  };
}

const byRoute = (requests: RequestRecord[]) => {
  const counts: Record<string, number> = {};
  for (const r of requests) counts[`${r.method} ${r.route}`] = (counts[`${r.method} ${r.route}`] ?? 0) + 1;
  return counts;
};

/** Clock seconds in which more requests of a per-second family arrived than Brevo allows. */
function secondsOverLimit(requests: RequestRecord[]) {
  let over = 0;
  for (const family of ['contacts', 'events'] as EndpointFamily[]) {
    const perSecond = new Map<number, number>();
    for (const r of requests) if (r.family === family) perSecond.set(Math.floor(r.at / 1000), (perSecond.get(Math.floor(r.at / 1000)) ?? 0) + 1);
    over += [...perSecond.values()].filter((count) => count > GENERAL_TIER_LIMITS[family].limit).length;
  }
  return over;
}

/** `npm run worker` processes, started as the package script starts them. */
async function startWorkers(count: number, env: Record<string, string>) {
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i += 1) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/worker.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, LOG_LEVEL: 'warn', WORKER_METRICS_PORT: '0' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
  }
  // Each worker is at work once its job engine polls; a few seconds cover its start.
  await sleep(5_000);
  return {
    async stop() {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
    },
  };
}

const tenants: Tenant[] = [];
const databases: ScratchDatabase[] = [];

async function withApi<T>(env: Record<string, string>, run: (api: RunningApi, env: Record<string, string>) => Promise<T>): Promise<T> {
  const database = await createScratchDatabase(serverUrl, 'tajo_bench_steady');
  databases.push(database);
  const fullEnv = { ...env, DATABASE_URL: database.url, DATABASE_POOL_SIZE: '20', TAJO_ENCRYPTION_KEY: randomBytes(32).toString('hex') };
  const api = await startApi(fullEnv);
  try {
    return await run(api, fullEnv);
  } finally {
    await pools.get(api.url)?.close();
    pools.delete(api.url);
    await api.stop();
  }
}

const say = (line: string) => process.stdout.write(`${line}\n`);

try {
  say(`steady load: ${SECONDS} s per run, Brevo general tier, imports carried out ${IMPORT_DELAY_MS} ms after Brevo accepts them`);
  const rates = await withApi({}, async (api, env) => {
    const runs = [];
    for (const kind of ['new', 'update'] as const) {
      for (const rate of [5, 50, 500]) {
        const tenant = await newTenant(api, env, `steady ${kind} ${rate}/s`);
        tenants.push(tenant);
        say(`  ${kind} contacts at ${rate}/s…`);
        const run = await steadyLoad(api, tenant, { rate, seconds: SECONDS, kind, prefix: `${kind}${rate}` });
        say(`    lag p50 ${run.lag_s.p50} s, p99 ${run.lag_s.p99} s; ${run.requests_per_contact} Brevo requests per contact; backlog ${run.backlog_at_end}, drained in ${run.drain_s} s`);
        runs.push(run);
      }
    }
    return runs;
  });

  const processes = [];
  for (const workers of [1, 2, 3]) {
    const run = await withApi({ ACTIVATION_WORKERS: 'off' }, async (api, env) => {
      const tenant = await newTenant(api, env, `steady ${workers} workers`);
      tenants.push(tenant);
      const running = await startWorkers(workers, env);
      try {
        say(`  mixed load at 50/s with ${workers} worker process(es)…`);
        return { workers, ...(await steadyLoad(api, tenant, { rate: 50, seconds: SECONDS, kind: 'mixed', prefix: `w${workers}` })) };
      } finally {
        await running.stop();
      }
    });
    say(`    ${run.received_429} × 429, ${run.seconds_over_limit} s over the limit, lag p99 ${run.lag_s.p99} s, drained in ${run.drain_s} s`);
    processes.push(run);
  }

  const fairness = await withApi({}, async (api, env) => {
    const trickle = await newTenant(api, env, 'trickle');
    const backlog = await newTenant(api, env, 'backlog');
    tenants.push(trickle, backlog);
    say('  a workspace at 5/s alone…');
    const alone = await steadyLoad(api, trickle, { rate: 5, seconds: SECONDS, kind: 'new', prefix: 'alone' });
    say(`    lag p99 ${alone.lag_s.p99} s`);
    say(`  the same beside another draining ${BACKLOG.toLocaleString('en')} contacts…`);
    const writing = (async () => {
      for (let from = 0; from < BACKLOG; from += 1_000) {
        const records = Array.from({ length: Math.min(1_000, BACKLOG - from) }, (_, k) => contact('backlog', from + k, 0));
        await call(api, backlog.apiKey, 'POST', '/v1/contacts/batch', { records });
      }
    })();
    const beside = await steadyLoad(api, trickle, { rate: 5, seconds: SECONDS, kind: 'new', prefix: 'beside' });
    await writing;
    const backlogInBrevo = backlog.brevo.state.contacts.size;
    say(`    lag p99 ${beside.lag_s.p99} s; the other workspace had ${backlogInBrevo.toLocaleString('en')} of ${BACKLOG.toLocaleString('en')} in Brevo by then`);
    return { alone, beside, backlog: BACKLOG, backlog_in_brevo_when_trickle_ended: backlogInBrevo, fairness_ratio: round(beside.lag_s.p99 / Math.max(alone.lag_s.p99, 0.001), 2) };
  });

  const sustained =
    SUSTAINED_SECONDS > 0
      ? await withApi({}, async (api, env) => {
          const tenant = await newTenant(api, env, 'sustained');
          tenants.push(tenant);
          say(`  new contacts at 500/s for ${SUSTAINED_SECONDS} s…`);
          const run = await steadyLoad(api, tenant, { rate: 500, seconds: SUSTAINED_SECONDS, kind: 'new', prefix: 'sustained' });
          const inBrevo = tenant.brevo.state.contacts.size;
          say(`    lag p50 ${run.lag_s.p50} s, p99 ${run.lag_s.p99} s; ${inBrevo} of ${run.sent} in Brevo; ${run.other_family_requests} requests of the hourly family`);
          return { seconds: SUSTAINED_SECONDS, in_brevo: inBrevo, ...run };
        })
      : null;

  const at = (kind: Kind, rate: number) => rates.find((run) => run.kind === kind && run.rate === rate)!;
  const worst = (rate: number) => Math.max(at('new', rate).lag_s.p99, at('update', rate).lag_s.p99);
  const report = {
    measured_at: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    database: 'postgresql',
    limits: GENERAL_TIER_LIMITS,
    import_delay_ms: IMPORT_DELAY_MS,
    seconds_per_run: SECONDS,
    lag_p99_s_at_5: worst(5),
    lag_p99_s_at_50: worst(50),
    lag_p99_s_at_500: worst(500),
    requests_per_contact_at_50: Math.max(at('new', 50).requests_per_contact, at('update', 50).requests_per_contact),
    requests_per_contact_at_500: Math.max(at('new', 500).requests_per_contact, at('update', 500).requests_per_contact),
    received_429_with_1_worker: processes[0]!.received_429,
    received_429_with_2_workers: processes[1]!.received_429,
    received_429_with_3_workers: processes[2]!.received_429,
    seconds_over_limit_with_2_workers: processes[1]!.seconds_over_limit,
    seconds_over_limit_with_3_workers: processes[2]!.seconds_over_limit,
    fairness_ratio: fairness.fairness_ratio,
    lag_p99_s_sustained_500: sustained?.lag_s.p99 ?? null,
    sustained_all_in_brevo: sustained ? sustained.in_brevo === sustained.sent && sustained.failed === 0 : null,
    sustained_hourly_family_requests: sustained?.other_family_requests ?? null,
    targets: {
      lag_p99_s_at_5: 2,
      lag_p99_s_at_50: 5,
      lag_p99_s_at_500: 5,
      drain_s: 5,
      requests_per_contact_at_50: 0.05,
      received_429_with_2_workers: 0,
      received_429_with_3_workers: 0,
      fairness_ratio: 1.5,
      lag_p99_s_sustained_500: 10,
      sustained_hourly_family_requests: GENERAL_TIER_LIMITS.other.limit,
    },
    rates,
    processes,
    fairness,
    sustained,
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(new URL('./results/steady.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const t = report.targets;
  say('');
  say(`lag p99: ${report.lag_p99_s_at_5} s at 5/s (< ${t.lag_p99_s_at_5}: ${verdict(report.lag_p99_s_at_5 < t.lag_p99_s_at_5)}), ${report.lag_p99_s_at_50} s at 50/s (< ${t.lag_p99_s_at_50}: ${verdict(report.lag_p99_s_at_50 < t.lag_p99_s_at_50)}), ${report.lag_p99_s_at_500} s at 500/s (< ${t.lag_p99_s_at_500}: ${verdict(report.lag_p99_s_at_500 < t.lag_p99_s_at_500)})`);
  say(`drained within ${t.drain_s} s of the load stopping: ${verdict(rates.every((run) => typeof run.drain_s === 'number' && run.drain_s <= t.drain_s))} (${rates.map((run) => `${run.kind}@${run.rate}: ${run.drain_s}`).join(', ')})`);
  say(`Brevo requests per contact at 50/s: ${report.requests_per_contact_at_50} (<= ${t.requests_per_contact_at_50}: ${verdict(report.requests_per_contact_at_50 <= t.requests_per_contact_at_50)}); at 500/s: ${report.requests_per_contact_at_500}`);
  say(`429s with 1/2/3 workers: ${report.received_429_with_1_worker}/${report.received_429_with_2_workers}/${report.received_429_with_3_workers} (0 with 2 and 3: ${verdict(report.received_429_with_2_workers === 0 && report.received_429_with_3_workers === 0)}); seconds over the limit with 2/3: ${report.seconds_over_limit_with_2_workers}/${report.seconds_over_limit_with_3_workers}`);
  say(`fairness: trickle lag p99 ${fairness.beside.lag_s.p99} s beside the backlog against ${fairness.alone.lag_s.p99} s alone, ratio ${report.fairness_ratio} (<= ${t.fairness_ratio}: ${verdict(report.fairness_ratio <= t.fairness_ratio)})`);
  if (sustained) {
    // A run of up to an hour falls within one window of the hourly family: its requests must stay under the limit.
    say(
      `sustained 500/s for ${SUSTAINED_SECONDS} s: ${sustained.in_brevo} of ${sustained.sent} in Brevo (all: ${verdict(report.sustained_all_in_brevo === true)}), lag p99 ${sustained.lag_s.p99} s (< ${t.lag_p99_s_sustained_500}: ${verdict(sustained.lag_s.p99 < t.lag_p99_s_sustained_500)}), ${sustained.other_family_requests} hourly-family requests (< ${t.sustained_hourly_family_requests}: ${verdict(sustained.other_family_requests < t.sustained_hourly_family_requests)})`,
    );
  }
  say('written to bench/results/steady.json');
} finally {
  for (const pool of pools.values()) await pool.close();
  for (const tenant of tenants) await tenant.brevo.close();
  for (const database of databases) await database.drop();
}
