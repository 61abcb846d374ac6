/**
 * npm run demo — the whole product on this machine, with no credentials and no database installed:
 * the API on embedded PostgreSQL (its own process, as `npm start` runs it) beside the Brevo and
 * Workato simulators on 127.0.0.1. It creates a workspace and a source, publishes a messy data set
 * to an Event Streams topic, backfills it with a progress bar, follows new messages with an
 * incremental job, adds rows to a lookup table and sends a burst of signed webhook hints for them,
 * waits for Brevo, backfills the topic again (a re-read that must change and send nothing), and
 * prints what happened. With vendor credentials in the environment (see
 * scripts/demo/vendors.ts and the README) the same steps run against Brevo and Workato.
 *
 *   npm run demo                     then browse the operator page; Ctrl-C ends it
 *   npm run demo -- --exit --json    the summary as JSON, and stop (tests)
 *   npm run demo -- --records 5000
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendWebhook } from '../api/src/simulators/workato/webhooks.ts';
import { startApi } from './lib/api-process.ts';
import { duration, progressText } from './cli/render.ts';
import { TajoClient, type DeadLetter, type Schemas, type Source, type SyncJob } from './cli/client.ts';
import { DEMO_MAPPING, demoPlan, loyaltyMembers } from './demo/dataset.ts';
import { DemoConfigError, openDemoVendors } from './demo/vendors.ts';

type HintStats = Schemas['HintStats'];
type ActivationStatus = Schemas['BrevoActivationStatus'];

const { values: options } = parseArgs({
  options: { records: { type: 'string', default: '2000' }, hints: { type: 'string', default: '100' }, exit: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
});
const RECORDS = Number(options.records);
const HINTS = Number(options.hints);

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

/** The sum of a counter's series (as /metrics prints them) whose labels include `labels`. */
function counterTotal(metrics: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && wanted.every((pair) => line.includes(pair)))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** How many times records failed: a letter counts each repeat of its failure (a source read again) as one more occurrence. */
const failures = (letters: readonly DeadLetter[]) => letters.reduce((sum, letter) => sum + letter.occurrences, 0);

/** Label-value rows, the values right-aligned in one column. */
function rowsText(rows: readonly [string, number | string][], width: number): string {
  return rows.map(([name, value]) => `  ${name.padEnd(width)}  ${String(value).padStart(12)}`).join('\n');
}

async function demo() {
  const vendors = await openDemoVendors();
  for (const line of vendors.describe()) say(line);
  const { workato } = vendors;
  say('Starting the Tajo API (embedded PostgreSQL)...');
  const api = await startApi(vendors.apiEnv).catch(async (error: unknown) => {
    await vendors.close();
    throw error;
  });
  const stopAll = async () => {
    await api.stop();
    await vendors.close();
  };
  // Stopped midway (Ctrl-C, a supervisor's SIGTERM): the API process goes too, not left behind.
  const interrupted = (signal: NodeJS.Signals) => {
    say(`\n${signal}: stopping the API and the simulators...`);
    stopAll().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)));
  };
  process.once('SIGTERM', interrupted);
  const stopOnCtrlC = () => interrupted('SIGINT');
  process.once('SIGINT', stopOnCtrlC);
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

    await tajo.put('/brevo/connection', { apiKey: vendors.brevo.apiKey, ...(vendors.brevo.baseUrl ? { baseUrl: vendors.brevo.baseUrl } : {}) });
    const plan = demoPlan(RECORDS);
    await workato.client.publish(workato.topicId, plan.backlog);
    say(`Published ${plan.backlog.length} customers to Workato topic ${workato.topicId}; ${plan.live.length} more will arrive during incremental sync.`);

    const topicSource = await tajo.post<Source>('/sources', {
      kind: 'event_stream',
      name: 'shop-customers',
      token: workato.token,
      dataCenter: workato.dataCenter,
      eventStream: { topicId: workato.topicId, longPollSeconds: 2 },
      mapping: DEMO_MAPPING,
      backfillEnabled: true,
    });
    const backfill = await tajo.post<SyncJob>(`/sources/${topicSource.id}/sync-jobs`, { kind: 'backfill' });
    const backfilled = await waitJob(backfill.id, 'Backfill', plan.backlog.length, (job) => job.status === 'completed');

    const incremental = await tajo.post<SyncJob>(`/sources/${topicSource.id}/sync-jobs`, { kind: 'incremental' });
    let last = '';
    for (let i = 0; i < plan.live.length; i += 50) {
      last = (await workato.client.publish(workato.topicId, plan.live.slice(i, i + 50))).at(-1)!;
      await sleep(20);
    }
    const followed = await waitJob(incremental.id, 'Incremental sync', plan.live.length, (job) => job.cursor !== null && 'messageId' in job.cursor && job.cursor.messageId === last);
    await tajo.post(`/sync-jobs/${incremental.id}/pause`);

    // Webhook hints: a loyalty table whose new rows Workato announces; Tajo refetches each before writing.
    let hints: HintStats | null = null;
    let hintsSent = 0;
    if (workato.lookupTableId) {
      const tableId = workato.lookupTableId;
      const members = loyaltyMembers(HINTS);
      const showRows = progress('Lookup table rows', members.length);
      const rows = [];
      for (const member of members) {
        rows.push(await workato.client.addLookupRow(tableId, member));
        showRows(rows.length, rows.length === members.length);
      }
      const tableSource = await tajo.post<Source>('/sources', {
        kind: 'developer_api',
        name: 'loyalty-members',
        token: workato.token,
        dataCenter: workato.dataCenter,
        developerApi: { resource: { kind: 'lookup_table', tableId } },
        mapping: DEMO_MAPPING,
        hintsEnabled: true,
      });
      const { secret } = await tajo.get<{ secret: string }>(`/sources/${tableSource.id}/hint-secret`);
      const hintUrl = `${api.url}${tableSource.hintPath}`;
      const forged = Math.ceil(HINTS / 20);
      const statuses = await Promise.all([
        ...rows.map((row, i) => sendWebhook(hintUrl, { secret, id: `hint-${i}`, body: { recordId: row.id, event: 'created' } })),
        ...rows.slice(0, forged).map((row, i) => sendWebhook(hintUrl, { secret: `whsec_${Buffer.from('not the secret, not at all').toString('base64')}`, id: `forged-${i}`, body: { recordId: row.id } })),
      ]);
      hintsSent = statuses.length;
      hints = await tajo.get<HintStats>(`/sources/${tableSource.id}/hint-stats`);
      const showHints = progress('Webhook hint refetches', HINTS);
      while (hints.queued > 0) {
        showHints(hints.refetched);
        await sleep(200);
        hints = await tajo.get<HintStats>(`/sources/${tableSource.id}/hint-stats`);
      }
      showHints(hints.refetched, true);
    }
    const refetched = hints?.refetched ?? 0;
    const hintCount = workato.lookupTableId ? HINTS : 0;

    /** Waits until Brevo has, or has refused, every contact Tajo holds, and at least `expected` of them (some may be unwritten yet). */
    const activationSettled = async (label: string, expected: number) => {
      const show = progress(label, expected);
      let status = await tajo.get<ActivationStatus>('/brevo/activation');
      while (status.pending > 0 || status.inBrevo + status.refused < expected) {
        show(status.inBrevo);
        await sleep(250);
        status = await tajo.get<ActivationStatus>('/brevo/activation');
      }
      show(status.inBrevo, true);
      return status;
    };
    const readMetrics = async () => (await fetch(`${api.url}/metrics`)).text();
    /**
     * What Tajo has sent Brevo so far by its own count (so against Brevo itself too): requests Brevo answered, and
     * records it carried there. Read until a second passes without either moving: an activation job counts its
     * records just after it commits them, so a settled status may run a moment ahead of the counters.
     */
    const sentToBrevo = async () => {
      const read = async () => {
        const metrics = await readMetrics();
        return { records: counterTotal(metrics, 'tajo_records_total', { stage: 'activated' }), requests: counterTotal(metrics, 'tajo_vendor_requests_total', { vendor: 'brevo' }) };
      };
      for (let last = await read(); ; ) {
        await sleep(1_000);
        const now = await read();
        if (now.records === last.records && now.requests === last.requests) return now;
        last = now;
      }
    };

    // Every contact Tajo created ends in Brevo, or as a dead letter saying why Brevo refused it.
    const jobs = [backfilled, followed].map((job) => job.progress);
    const sum = (field: Exclude<keyof SyncJob['progress'], 'objects'>) => jobs.reduce((total, job) => total + job[field], 0);
    const brevo = await activationSettled('Activation in Brevo', sum('created') + refetched);
    const letters = await tajo.all<DeadLetter>('/dead-letters', { limit: 200 });
    const byReason = new Map<string, number>();
    for (const letter of letters) {
      const key = `${letter.category}: ${letter.reason.replace(/\d+/g, 'N')}`;
      byReason.set(key, (byReason.get(key) ?? 0) + 1);
    }
    const metrics = await readMetrics();
    const recordsMetric = (stage: string) => counterTotal(metrics, 'tajo_records_total', { stage });

    // An operator backfills the topic again, after incremental sync moved contacts on: what is read again is
    // unchanged or stale (older than what Tajo holds), sends Brevo nothing, and fails again only as one more
    // occurrence on its open dead letter.
    const sentBefore = await sentToBrevo();
    const rereadJob = await tajo.post<SyncJob>(`/sources/${topicSource.id}/sync-jobs`, { kind: 'backfill' });
    const reread = (await waitJob(rereadJob.id, 'Backfill again', plan.backlog.length + plan.live.length, (job) => job.status === 'completed')).progress;
    await activationSettled('Brevo after re-read', brevo.inBrevo + brevo.refused);
    const sentAfter = await sentToBrevo();
    const lettersAfter = await tajo.all<DeadLetter>('/dead-letters', { limit: 200 });

    const summary = {
      received: sum('recordsSeen') + refetched,
      normalized: sum('created') + sum('updated') + refetched,
      created: sum('created') + refetched,
      updated: sum('updated'),
      unchanged: sum('unchanged'),
      deadLettered: letters.length,
      deadLetteredByReason: Object.fromEntries([...byReason.entries()].sort()),
      activatedInBrevo: brevo.inBrevo,
      refusedByBrevo: brevo.refused,
      consumeCalls: sum('readCalls'),
      hints: { sent: hintsSent, accepted: hints?.accepted ?? 0, refetched, rejected: hints?.rejected ?? { signature: 0, stale: 0, malformed: 0, duplicate: 0 } },
      metrics: { received: recordsMetric('received'), normalized: recordsMetric('normalized'), unchanged: recordsMetric('unchanged'), deadLettered: recordsMetric('dead_lettered') },
      reread: {
        recordsSeen: reread.recordsSeen,
        created: reread.created,
        updated: reread.updated,
        unchanged: reread.unchanged,
        stale: reread.stale,
        deadLettered: reread.deadLettered,
        sentToBrevo: { records: sentAfter.records - sentBefore.records, requests: sentAfter.requests - sentBefore.requests },
        newDeadLetters: lettersAfter.length - letters.length,
        repeatedFailures: failures(lettersAfter) - failures(letters),
      },
      // What the data set says must happen (hinted members are all new, mappable contacts), on a
      // topic and a table that held nothing before: always so with the simulators.
      expected: { ...plan.expected, received: plan.expected.received + hintCount, created: plan.expected.created + hintCount, hints: hintCount },
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
        ['refused by Brevo (dead letters)', summary.refusedByBrevo],
        ['dead-lettered', summary.deadLettered],
        ...Object.entries(summary.deadLetteredByReason).map(([reason, count]): [string, number] => [`  ${reason}`, count]),
        ['Event Streams consume calls', summary.consumeCalls],
        ['webhook hints sent / accepted / refused', `${summary.hints.sent} / ${summary.hints.accepted} / ${summary.hints.rejected.signature}`],
      ];
      const again = summary.reread;
      const rereadRows: [string, number | string][] = [
        ['records read again', again.recordsSeen],
        ['created / updated', `${again.created} / ${again.updated}`],
        ['unchanged / stale (older than held)', `${again.unchanged} / ${again.stale}`],
        ['sent to Brevo (records / requests)', `${again.sentToBrevo.records} / ${again.sentToBrevo.requests}`],
        ['new dead letters', again.newDeadLetters],
        ['  failures counted on open letters', again.repeatedFailures],
      ];
      const width = Math.max(...[...rows, ...rereadRows].map(([name]) => name.length));
      process.stdout.write(`\n${rowsText(rows, width)}\n\nBackfill again (re-read of the topic):\n${rowsText(rereadRows, width)}\n\n`);
      process.stdout.write(`Operator page: ${summary.operatorPage}  (API key: ${summary.apiKey})\nMetrics: ${api.url}/metrics\n`);
    }

    if (!options.exit) {
      say('\nThe API and simulators keep running for you to explore; Ctrl-C ends the demo.');
      process.off('SIGINT', stopOnCtrlC);
      await new Promise((resolve) => process.once('SIGINT', resolve));
    }
  } finally {
    await stopAll();
  }
}

demo().catch((error: unknown) => {
  process.stderr.write(error instanceof DemoConfigError ? `${error.message}\n` : `\nThe demo failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
