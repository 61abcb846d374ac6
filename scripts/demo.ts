/**
 * npm run demo — the whole product on this machine, with no credentials and no database installed:
 * the API on embedded PostgreSQL (its own process, as `npm start` runs it) beside the Brevo and
 * Workato simulators on 127.0.0.1. It creates a workspace and a source, publishes a messy data set
 * to an Event Streams topic, backfills it with a progress bar, follows new messages with an
 * incremental job, sends a burst of signed webhook hints, waits for Brevo, and prints what happened.
 *
 *   npm run demo                     then browse the operator page; Ctrl-C ends it
 *   npm run demo -- --exit --json    the summary as JSON, and stop (tests)
 *   npm run demo -- --records 5000
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { GENERAL_TIER_LIMITS } from '../api/src/brevo/rate-limit.ts';
import { startBrevoSimulator } from '../api/src/simulators/brevo/server.ts';
import { startWorkatoSimulator } from '../api/src/simulators/workato/server.ts';
import { startApi } from './lib/api-process.ts';
import { duration, progressText } from './cli/render.ts';
import { TajoClient, type DeadLetter, type Schemas, type Source, type SyncJob } from './cli/client.ts';

type HintStats = Schemas['HintStats'];
import { DEMO_MAPPING, demoPlan, loyaltyMembers } from './demo/dataset.ts';

const { values: options } = parseArgs({
  options: { records: { type: 'string', default: '2000' }, hints: { type: 'string', default: '100' }, exit: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
});
const RECORDS = Number(options.records);
const HINTS = Number(options.hints);
const BREVO_KEY = 'xkeysib-demo-account';
const WORKATO_TOKEN = 'wrk_demo_api_client_token';
const TOPIC = '1001';
const TABLE = '2001';

/** Progress goes to stderr (stdout carries the summary): redrawn on a terminal, a line every 2 s otherwise. */
function progress(label: string, total: number) {
  const started = Date.now();
  let lastLine = 0;
  // What was already done when watching began does not count toward the rate.
  let base: number | null = null;
  return (done: number, final = false) => {
    base ??= done;
    const text = `${label.padEnd(22)} ${progressText(done, done - base, Date.now() - started, total)}${final ? `  done in ${duration(Date.now() - started)}` : ''}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${text}\x1b[K${final ? '\n' : ''}`);
    else if (final || Date.now() - lastLine > 2_000) {
      process.stderr.write(`${text}\n`);
      lastLine = Date.now();
    }
  };
}

const say = (text: string) => process.stderr.write(`${text}\n`);

async function demo() {
  say('Starting the Brevo and Workato simulators and the Tajo API (embedded PostgreSQL)...');
  const brevo = await startBrevoSimulator({ apiKeys: [BREVO_KEY], limits: GENERAL_TIER_LIMITS });
  const workato = await startWorkatoSimulator({ tokens: [WORKATO_TOKEN] });
  const api = await startApi({ BREVO_BASE_URL: brevo.baseUrl, WORKATO_BASE_URL: workato.url });
  const stopAll = async () => {
    await api.stop();
    await workato.close();
    await brevo.close();
  };
  try {
    const tajo = new TajoClient(api.url, api.apiKey);
    const waitJob = async (id: string, label: string, total: number, done: (job: SyncJob) => boolean) => {
      const show = progress(label, total);
      for (;;) {
        const job = await tajo.get<SyncJob>(`/sync-jobs/${id}`);
        if (job.status === 'failed') throw new Error(`${label} failed: ${JSON.stringify(job)}`);
        if (done(job)) {
          show(job.progress.recordsSeen, true);
          return job;
        }
        show(job.progress.recordsSeen);
        await sleep(200);
      }
    };

    await tajo.put('/brevo/connection', { apiKey: BREVO_KEY, baseUrl: brevo.baseUrl });
    const plan = demoPlan(RECORDS);
    workato.publish(TOPIC, plan.backlog);
    say(`Published ${plan.backlog.length} customers to Workato topic ${TOPIC}; ${plan.live.length} more will arrive during incremental sync.`);

    const topicSource = await tajo.post<Source>('/sources', {
      kind: 'event_stream',
      name: 'shop-customers',
      token: WORKATO_TOKEN,
      eventStream: { topicId: TOPIC, longPollSeconds: 2 },
      mapping: DEMO_MAPPING,
      backfillEnabled: true,
    });
    const backfill = await tajo.post<SyncJob>(`/sources/${topicSource.id}/sync-jobs`, { kind: 'backfill' });
    const backfilled = await waitJob(backfill.id, 'Backfill', plan.backlog.length, (job) => job.status === 'completed');

    const incremental = await tajo.post<SyncJob>(`/sources/${topicSource.id}/sync-jobs`, { kind: 'incremental' });
    for (let i = 0; i < plan.live.length; i += 50) {
      workato.publish(TOPIC, plan.live.slice(i, i + 50));
      await sleep(20);
    }
    const last = workato.messages(TOPIC).at(-1)!.messageId;
    const followed = await waitJob(incremental.id, 'Incremental sync', plan.live.length, (job) => job.cursor !== null && 'messageId' in job.cursor && job.cursor.messageId === last);
    await tajo.post(`/sync-jobs/${incremental.id}/pause`);

    // Webhook hints: a loyalty table whose rows Workato announces; Tajo refetches each before writing.
    const rows = workato.setLookupTable(TABLE, loyaltyMembers(HINTS));
    const tableSource = await tajo.post<Source>('/sources', {
      kind: 'developer_api',
      name: 'loyalty-members',
      token: WORKATO_TOKEN,
      developerApi: { resource: { kind: 'lookup_table', tableId: TABLE } },
      mapping: DEMO_MAPPING,
      hintsEnabled: true,
    });
    const { secret } = await tajo.get<{ secret: string }>(`/sources/${tableSource.id}/hint-secret`);
    const hintUrl = `${api.url}${tableSource.hintPath}`;
    const forged = Math.ceil(HINTS / 20);
    const statuses = await Promise.all([
      ...rows.map((row, i) => workato.sendWebhook(hintUrl, { secret, id: `hint-${i}`, body: { recordId: row.id, event: 'updated' } })),
      ...rows.slice(0, forged).map((row, i) => workato.sendWebhook(hintUrl, { secret: `whsec_${Buffer.from('not the secret, not at all').toString('base64')}`, id: `forged-${i}`, body: { recordId: row.id } })),
    ]);
    let hints = await tajo.get<HintStats>(`/sources/${tableSource.id}/hint-stats`);
    const showHints = progress('Webhook hint refetches', HINTS);
    while (hints.queued > 0) {
      showHints(hints.refetched);
      await sleep(200);
      hints = await tajo.get<HintStats>(`/sources/${tableSource.id}/hint-stats`);
    }
    showHints(hints.refetched, true);

    const deadLetters = () => tajo.all<DeadLetter>('/dead-letters', { limit: 200 });
    // Every contact Tajo holds ends in Brevo, or as a dead letter saying why Brevo refused it.
    const toActivate = plan.expected.created + hints.refetched;
    const showBrevo = progress('Activation in Brevo', toActivate);
    let letters = await deadLetters();
    const refusedByBrevo = () => letters.filter((letter) => letter.entityType === 'contact').length;
    while (brevo.state.contacts.size + refusedByBrevo() < toActivate) {
      showBrevo(brevo.state.contacts.size);
      await sleep(250);
      letters = await deadLetters();
    }
    showBrevo(brevo.state.contacts.size, true);
    const byReason = new Map<string, number>();
    for (const letter of letters) {
      const key = `${letter.category}: ${letter.reason.replace(/\d+/g, 'N')}`;
      byReason.set(key, (byReason.get(key) ?? 0) + 1);
    }
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    const recordsMetric = (stage: string) =>
      metrics
        .split('\n')
        .filter((line) => line.startsWith(`tajo_records_total{stage="${stage}"`))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);

    const jobs = [backfilled, followed].map((job) => job.progress);
    const sum = (field: keyof SyncJob['progress']) => jobs.reduce((total, job) => total + job[field], 0);
    const summary = {
      received: sum('recordsSeen') + hints.refetched,
      normalized: sum('created') + sum('updated') + hints.refetched,
      created: sum('created') + hints.refetched,
      updated: sum('updated'),
      unchanged: sum('unchanged'),
      deadLettered: letters.length,
      deadLetteredByReason: Object.fromEntries([...byReason.entries()].sort()),
      activatedInBrevo: brevo.state.contacts.size,
      consumeCalls: sum('readCalls'),
      hints: { sent: statuses.length, accepted: hints.accepted, refetched: hints.refetched, rejected: hints.rejected },
      metrics: { received: recordsMetric('received'), normalized: recordsMetric('normalized'), unchanged: recordsMetric('unchanged'), deadLettered: recordsMetric('dead_lettered') },
      // What the data set says must happen (hinted members are all new, mappable contacts).
      expected: { ...plan.expected, received: plan.expected.received + HINTS, created: plan.expected.created + HINTS, hints: HINTS },
      operatorPage: `${api.url}/operator`,
      apiKey: api.apiKey,
    };

    if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      const rows: [string, number | string][] = [
        ['received (topic messages + hint refetches)', summary.received],
        ['normalized (created + updated)', `${summary.normalized} (${summary.created} + ${summary.updated})`],
        ['unchanged (identical re-sends)', summary.unchanged],
        ['activated in Brevo (contacts)', summary.activatedInBrevo],
        ['dead-lettered', summary.deadLettered],
        ...Object.entries(summary.deadLetteredByReason).map(([reason, count]): [string, number] => [`  ${reason}`, count]),
        ['Event Streams consume calls', summary.consumeCalls],
        ['webhook hints sent / accepted / refused', `${summary.hints.sent} / ${summary.hints.accepted} / ${summary.hints.rejected.signature ?? 0}`],
      ];
      const width = Math.max(...rows.map(([name]) => name.length));
      process.stdout.write(`\n${rows.map(([name, value]) => `  ${name.padEnd(width)}  ${String(value).padStart(12)}`).join('\n')}\n\n`);
      process.stdout.write(`Operator page: ${summary.operatorPage}  (API key: ${summary.apiKey})\nMetrics: ${api.url}/metrics\n`);
    }

    if (!options.exit) {
      say('\nThe API and simulators keep running for you to explore; Ctrl-C ends the demo.');
      await new Promise((resolve) => process.once('SIGINT', resolve));
    }
  } finally {
    await stopAll();
  }
}

demo().catch((error: unknown) => {
  process.stderr.write(`\nThe demo failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
