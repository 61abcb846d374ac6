/* global document, sessionStorage, fetch, setTimeout, clearTimeout, URLSearchParams */
// The operator page's script: plain DOM, no framework, no build. Everything that comes from the API
// goes into the page as text (append, textContent, setAttribute), never as markup.

const KEY_STORAGE = 'tajo.operator.apiKey';
const POLL_MS = 2_000;
const PAGE_LIMIT = 200;
// Enough for any workspace an operator reads at a glance; the page says when it shows less.
const MAX_PAGES = 5;
const CHART_WINDOW_MS = 2 * 60_000;
const SVG_NS = 'http://www.w3.org/2000/svg';

const byId = (id) => document.getElementById(id);
const dash = '—';

let apiKey = sessionStorage.getItem(KEY_STORAGE);
let timer;
// Bumped when the key changes, so that a poll begun with the old key renders nothing.
let session = 0;

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { accept: 'application/json', 'x-api-key': apiKey } });
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new ApiError(response.status, problem?.detail ?? `${response.status} ${response.statusText}`);
  }
  return response.json();
}

/** Every page of a search, up to MAX_PAGES. */
async function all(path, query = {}) {
  const items = [];
  let cursor;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const params = new URLSearchParams({ ...query, limit: String(PAGE_LIMIT), ...(cursor ? { cursor } : {}) });
    const body = await api(`${path}?${params}`);
    items.push(...body.data);
    cursor = body.nextCursor;
    if (!cursor) return { items, complete: true };
  }
  return { items, complete: false };
}

// ---------------------------------------------------------------- DOM helpers

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.map((child) => child ?? dash));
  return node;
}

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const when = (iso) => (iso ? el('time', { datetime: iso }, iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')) : dash);
const yesNo = (value) => (value ? 'yes' : 'no');

function fillTable(table, rows, empty) {
  const columns = table.tHead.rows[0].cells.length;
  table.tBodies[0].replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colspan: String(columns) }, empty))]));
}

/** Re-renders a section only when its data changed: focus and a pending click survive a poll. */
const renderedSignatures = new Map();
function renderIfChanged(name, data, render) {
  const signature = JSON.stringify(data);
  if (renderedSignatures.get(name) === signature) return;
  renderedSignatures.set(name, signature);
  render(data);
}

function say(message) {
  byId('status').textContent = message;
}

// ---------------------------------------------------------------- sources and sync jobs

function cursorText(cursor) {
  if (!cursor) return dash;
  if ('messageId' in cursor) return `message ${cursor.messageId} (${cursor.time})`;
  return cursor.page === null ? 'all pages read' : `page ${cursor.page}`;
}

function renderSources({ sources, jobs }) {
  fillTable(
    byId('sources'),
    sources.items.map((source) =>
      el(
        'tr',
        {},
        el('td', {}, source.name),
        el('td', {}, source.kind),
        el('td', {}, source.smokeTest.status),
        el('td', {}, yesNo(source.backfillEnabled)),
        el('td', {}, yesNo(source.hintsEnabled)),
        el('td', {}, source.lastRateLimit ? when(source.lastRateLimit.at) : dash),
      ),
    ),
    'No source yet.',
  );
  const names = new Map(sources.items.map((source) => [source.id, source.name]));
  // Newest first: the running jobs are what an operator watches.
  const newest = [...jobs.items].reverse();
  fillTable(
    byId('jobs'),
    newest.map((job) => {
      const attention = job.stalledSince || job.status === 'failed' || job.lastError;
      return el(
        'tr',
        attention ? { class: 'attention' } : {},
        el('td', {}, names.get(job.sourceId) ?? job.sourceId),
        el('td', {}, job.kind),
        el('td', {}, job.status),
        el('td', { class: 'number' }, String(job.progress.recordsSeen)),
        el('td', { class: 'number' }, String(job.progress.created)),
        el('td', { class: 'number' }, String(job.progress.updated)),
        el('td', { class: 'number' }, String(job.progress.unchanged)),
        el('td', { class: 'number' }, String(job.progress.deadLettered)),
        el('td', {}, cursorText(job.cursor)),
        el('td', {}, job.stalledSince ? el('span', {}, 'stalled since ', when(job.stalledSince)) : 'no'),
        el('td', {}, job.lastError ? `${job.lastError.category}: ${job.lastError.detail}` : dash),
        el('td', {}, when(job.startedAt)),
      );
    }),
    'No sync job yet.',
  );
  const truncated = !sources.complete || !jobs.complete;
  byId('jobs-heading').textContent = truncated ? `Sync jobs (the first ${jobs.items.length} only)` : 'Sync jobs';
}

// ---------------------------------------------------------------- throughput

/** Records seen per second between successive polls, from the jobs' counters. */
const samples = [];
let previousCounts;

function recordThroughput(jobs) {
  const now = Date.now();
  const counts = new Map(jobs.map((job) => [job.id, job.progress.recordsSeen]));
  if (previousCounts) {
    let seen = 0;
    // A job that appeared since the last poll started in this interval: all it saw counts.
    for (const [id, count] of counts) seen += Math.max(0, count - (previousCounts.counts.get(id) ?? 0));
    samples.push({ at: now, rate: seen / ((now - previousCounts.at) / 1000) });
    while (samples.length > 0 && samples[0].at < now - CHART_WINDOW_MS) samples.shift();
  }
  previousCounts = { at: now, counts };
  drawThroughput(now);
}

function drawThroughput(now) {
  const chart = byId('throughput-chart');
  const [width, height, left, right, top, bottom] = [600, 180, 56, 8, 10, 26];
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const peak = Math.max(0, ...samples.map((sample) => sample.rate));
  const scale = niceCeiling(peak);
  const x = (at) => left + plotWidth * (1 - (now - at) / CHART_WINDOW_MS);
  const y = (rate) => top + plotHeight * (1 - rate / scale);
  const nodes = [
    svg('line', { x1: left, y1: top, x2: left, y2: top + plotHeight, class: 'axis' }),
    svg('line', { x1: left, y1: top + plotHeight, x2: width - right, y2: top + plotHeight, class: 'axis' }),
    svg('text', { x: left - 6, y: top + 4, 'text-anchor': 'end' }, formatRate(scale)),
    svg('text', { x: left - 6, y: top + plotHeight + 4, 'text-anchor': 'end' }, '0'),
    svg('text', { x: left, y: height - 6 }, '2 min ago'),
    svg('text', { x: width - right, y: height - 6, 'text-anchor': 'end' }, 'now'),
    svg('text', { x: left - 6, y: top + plotHeight / 2, 'text-anchor': 'end' }, 'rec/s'),
  ];
  if (samples.length > 0) {
    const points = samples.map((sample) => `${x(sample.at).toFixed(1)},${y(sample.rate).toFixed(1)}`).join(' ');
    nodes.push(svg('polyline', { points, class: 'series' }));
  }
  chart.replaceChildren(...nodes);
  const last = samples.at(-1);
  byId('throughput-summary').textContent = last
    ? `Records seen: ${formatRate(last.rate)} per second in the last interval; peak ${formatRate(peak)} per second over the last 2 minutes.`
    : 'Measuring: records seen per second appear after two polls.';
}

function niceCeiling(value) {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * magnitude).find((candidate) => candidate >= value);
}

const formatRate = (rate) => (rate >= 10 ? String(Math.round(rate)) : rate.toFixed(1).replace(/\.0$/, ''));

// ---------------------------------------------------------------- dead letters

async function refreshDeadLetters() {
  const letters = await all('/v1/dead-letters', { status: 'open' });
  renderIfChanged('dead-letters', letters, renderDeadLetters);
}

function renderDeadLetters({ items, complete }) {
  const container = byId('dead-letters');
  if (items.length === 0) {
    container.replaceChildren(el('p', {}, 'No open dead letter.'));
    return;
  }
  const byCategory = new Map();
  for (const letter of items) byCategory.set(letter.category, [...(byCategory.get(letter.category) ?? []), letter]);
  const groups = [...byCategory.entries()].sort(([a], [b]) => a.localeCompare(b));
  container.replaceChildren(
    ...(complete ? [] : [el('p', {}, `Showing the oldest ${items.length} open dead letters.`)]),
    ...groups.map(([category, letters], index) => {
      const headingId = `dead-letter-category-${index}`;
      return el(
        'section',
        {},
        el('h3', { id: headingId }, category),
        el('p', {}, `${letters.length} open`),
        el(
          'table',
          { 'aria-labelledby': headingId },
          el('thead', {}, el('tr', {}, ...['Reason', 'Source object ID', 'Record', 'Created', 'Actions'].map((name) => el('th', { scope: 'col' }, name)))),
          el('tbody', {}, ...letters.map(deadLetterRow)),
        ),
      );
    }),
  );
}

function deadLetterRow(letter) {
  const retry = el('button', { type: 'button' }, 'Retry');
  const discard = el('button', { type: 'button' }, 'Discard');
  const row = el(
    'tr',
    {},
    el('td', {}, letter.reason),
    el('td', {}, letter.sourceObjectId ?? dash),
    el('td', {}, letter.entityType),
    el('td', {}, when(letter.createdAt)),
    el('td', { class: 'actions' }, retry, ' ', discard),
  );
  const act = async (verb) => {
    retry.disabled = discard.disabled = true;
    const what = `the dead letter of ${letter.sourceObjectId ?? letter.id}`;
    let result;
    try {
      result = await api(`/v1/dead-letters/${encodeURIComponent(letter.id)}/${verb}`, { method: 'POST' });
    } catch (error) {
      say(`Could not ${verb} ${what}: ${error.message}`);
      retry.disabled = discard.disabled = false;
      return;
    }
    say(`${verb === 'retry' ? 'Retried' : 'Discarded'} ${what}: it is now ${result.status}.`);
    // At once rather than at the next poll, so the list never shows it open after the answer.
    await refreshDeadLetters().catch((error) => {
      byId('updated').textContent = `Could not refresh the dead letters: ${error.message}`;
    });
  };
  retry.addEventListener('click', () => act('retry'));
  discard.addEventListener('click', () => act('discard'));
  return row;
}

// ---------------------------------------------------------------- alerts

async function loadAlerts() {
  try {
    return { available: true, alerts: (await api('/v1/alerts')).data };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { available: false };
    throw error;
  }
}

function renderAlerts({ available, alerts }) {
  const container = byId('alerts');
  if (!available) {
    container.replaceChildren(el('p', {}, 'Alerts not available.'));
    return;
  }
  const firing = alerts.filter((alert) => alert.firing);
  if (firing.length === 0) {
    container.replaceChildren(el('p', {}, `No alert is firing (${alerts.length} conditions checked).`));
    return;
  }
  container.replaceChildren(
    el(
      'table',
      { 'aria-labelledby': 'alerts-heading' },
      el('thead', {}, el('tr', {}, ...['Name', 'Severity', 'Since', 'Value', 'Threshold', 'Detail'].map((name) => el('th', { scope: 'col' }, name)))),
      el(
        'tbody',
        {},
        ...firing.map((alert) =>
          el(
            'tr',
            { class: `severity-${String(alert.severity).replace(/[^a-z]/g, '')}` },
            el('td', {}, alert.name),
            el('td', {}, alert.severity),
            el('td', {}, when(alert.since)),
            el('td', { class: 'number' }, String(alert.value ?? dash)),
            el('td', { class: 'number' }, String(alert.threshold ?? dash)),
            el('td', {}, alert.detail),
          ),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------- Brevo activation

/** The activation status counts every contact: read it every few polls, not every one. */
const BREVO_POLL_MS = 15_000;
let brevoReadAt = 0;

async function loadBrevo() {
  if (Date.now() - brevoReadAt < BREVO_POLL_MS) return null;
  brevoReadAt = Date.now();
  return api('/v1/brevo/activation');
}

function renderBrevo(status) {
  const container = byId('brevo');
  const counts = el('p', {}, `${status.inBrevo} of ${status.contacts} contacts in Brevo at their current version; ${status.pending} on their way; ${status.refused} refused (open dead letters).`);
  if (status.rateLimits.length === 0) {
    container.replaceChildren(counts, el('p', {}, 'No Brevo connection.'));
    return;
  }
  const perWindow = (limit) => (limit.windowSeconds === 1 ? `${limit.limit} a second` : limit.windowSeconds === 3600 ? `${limit.limit} an hour` : `${limit.limit} per ${limit.windowSeconds} s`);
  container.replaceChildren(
    counts,
    el(
      'table',
      { 'aria-labelledby': 'brevo-heading' },
      el('thead', {}, el('tr', {}, ...['Family', 'Limit', 'Available now', 'Spent until'].map((name) => el('th', { scope: 'col' }, name)))),
      el(
        'tbody',
        {},
        ...status.rateLimits.map((limit) =>
          el(
            'tr',
            limit.blockedUntil ? { class: 'severity-warning' } : {},
            el('td', {}, limit.family),
            el('td', {}, perWindow(limit)),
            el('td', { class: 'number' }, String(limit.available)),
            el('td', {}, when(limit.blockedUntil)),
          ),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------- polling and the key

async function poll() {
  const current = session;
  try {
    await refresh(current);
  } finally {
    // Not after a key change: that starts polls of its own.
    if (current === session) timer = setTimeout(poll, POLL_MS);
  }
}

async function refresh(current) {
  const [overview, letters, alerts, brevo] = await Promise.allSettled([
    Promise.all([all('/v1/sources'), all('/v1/sync-jobs')]),
    all('/v1/dead-letters', { status: 'open' }),
    loadAlerts(),
    loadBrevo(),
  ]);
  if (current !== session) return;
  const failures = [overview, letters, alerts, brevo].filter((result) => result.status === 'rejected').map((result) => result.reason);
  const refused = failures.find((error) => error instanceof ApiError && error.status === 401);
  if (refused) {
    forgetKey(`The API refused the key: ${refused.message} Enter another.`);
    return;
  }
  if (overview.status === 'fulfilled') {
    const [sources, jobs] = overview.value;
    renderIfChanged('sources', { sources, jobs }, renderSources);
    recordThroughput(jobs.items);
  }
  if (letters.status === 'fulfilled') renderIfChanged('dead-letters', letters.value, renderDeadLetters);
  if (alerts.status === 'fulfilled') renderIfChanged('alerts', alerts.value, renderAlerts);
  if (brevo.status === 'fulfilled' && brevo.value) renderIfChanged('brevo', brevo.value, renderBrevo);
  const time = new Date().toLocaleTimeString();
  byId('updated').textContent =
    failures.length === 0 ? `Updated ${time}.` : `Updated ${time}, with errors: ${failures.map((error) => error.message).join('; ')}`;
}

function useKey(key) {
  apiKey = key;
  sessionStorage.setItem(KEY_STORAGE, key);
  session += 1;
  clearTimeout(timer);
  renderedSignatures.clear();
  samples.length = 0;
  previousCounts = undefined;
  brevoReadAt = 0;
  byId('dashboard').hidden = false;
  byId('forget-key').hidden = false;
  say('Key in use for this tab. Refreshing every 2 seconds.');
  poll();
}

function forgetKey(message) {
  apiKey = null;
  sessionStorage.removeItem(KEY_STORAGE);
  session += 1;
  clearTimeout(timer);
  byId('dashboard').hidden = true;
  byId('forget-key').hidden = true;
  byId('updated').textContent = '';
  say(message);
}

byId('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = byId('api-key');
  const key = input.value.trim();
  input.value = '';
  if (key) useKey(key);
});
byId('forget-key').addEventListener('click', () => forgetKey('Key forgotten. Enter an API key to continue.'));
if (apiKey) useKey(apiKey);
