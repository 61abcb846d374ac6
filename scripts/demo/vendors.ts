/**
 * The vendors the demo runs against: Brevo and Workato themselves when their credentials are in the
 * environment, the local simulators otherwise (each on its own: real Brevo with a simulated
 * Workato works too). The demo talks to both only over HTTP, so the same steps run either way.
 */
import { GENERAL_TIER_LIMITS } from '../../api/src/brevo/rate-limit.ts';
import { startBrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { startWorkatoSimulator } from '../../api/src/simulators/workato/server.ts';
import { endpointsFor, WorkatoHttpClient } from '../../api/src/workato/client.ts';
import { WORKATO_DATA_CENTERS, type WorkatoDataCenter } from '../../api/src/workato/types.ts';

const SIMULATED_BREVO_KEY = 'xkeysib-demo-account';
const SIMULATED_WORKATO_TOKEN = 'wrk_demo_api_client_token';
const SIMULATED_TOPIC = '1001';
const SIMULATED_TABLE = '2001';

export interface DemoVendors {
  /** Environment for the API process (base URLs of whichever vendor is simulated). */
  apiEnv: Record<string, string>;
  brevo: { apiKey: string; baseUrl: string | undefined; simulated: boolean };
  workato: {
    token: string;
    dataCenter: WorkatoDataCenter;
    topicId: string;
    /** The lookup table the webhook-hint step adds rows to; null skips that step. */
    lookupTableId: string | null;
    /** Publishes and adds rows as a recipe would, with the product's retries and 429 handling. */
    client: WorkatoHttpClient;
    simulated: boolean;
  };
  /** One line per vendor for the user. */
  describe(): string[];
  close(): Promise<void>;
}

export class DemoConfigError extends Error {}

/**
 * Reads BREVO_API_KEY (and BREVO_BASE_URL), WORKATO_API_TOKEN with WORKATO_TOPIC_ID (and
 * WORKATO_DATA_CENTER, WORKATO_LOOKUP_TABLE_ID, WORKATO_BASE_URL); starts a simulator for each
 * vendor without credentials.
 */
export async function openDemoVendors(env: NodeJS.ProcessEnv = process.env): Promise<DemoVendors> {
  const closers: (() => Promise<void>)[] = [];
  const apiEnv: Record<string, string> = {};

  let brevo: DemoVendors['brevo'];
  if (env.BREVO_API_KEY) {
    brevo = { apiKey: env.BREVO_API_KEY, baseUrl: env.BREVO_BASE_URL, simulated: false };
  } else {
    const simulator = await startBrevoSimulator({ apiKeys: [SIMULATED_BREVO_KEY], limits: GENERAL_TIER_LIMITS });
    closers.push(() => simulator.close());
    apiEnv.BREVO_BASE_URL = simulator.baseUrl;
    brevo = { apiKey: SIMULATED_BREVO_KEY, baseUrl: simulator.baseUrl, simulated: true };
  }

  let workato: DemoVendors['workato'];
  if (env.WORKATO_API_TOKEN) {
    if (!env.WORKATO_TOPIC_ID) throw new DemoConfigError('WORKATO_API_TOKEN is set: set WORKATO_TOPIC_ID too, the Event Streams topic the demo publishes its data set to and syncs from.');
    const dataCenter = (env.WORKATO_DATA_CENTER ?? 'us') as WorkatoDataCenter;
    if (!WORKATO_DATA_CENTERS.includes(dataCenter)) throw new DemoConfigError(`WORKATO_DATA_CENTER must be one of ${WORKATO_DATA_CENTERS.join(', ')}, not ${dataCenter}.`);
    const client = new WorkatoHttpClient({ endpoints: endpointsFor(dataCenter, env.WORKATO_BASE_URL), token: env.WORKATO_API_TOKEN });
    workato = { token: env.WORKATO_API_TOKEN, dataCenter, topicId: env.WORKATO_TOPIC_ID, lookupTableId: env.WORKATO_LOOKUP_TABLE_ID ?? null, client, simulated: false };
  } else {
    const simulator = await startWorkatoSimulator({ tokens: [SIMULATED_WORKATO_TOKEN], topics: [SIMULATED_TOPIC] });
    closers.push(() => simulator.close());
    // What a Workato user sets up by hand: the topic (above) and an empty lookup table.
    simulator.setLookupTable(SIMULATED_TABLE, []);
    apiEnv.WORKATO_BASE_URL = simulator.url;
    const client = new WorkatoHttpClient({ endpoints: endpointsFor('us', simulator.url), token: SIMULATED_WORKATO_TOKEN });
    workato = { token: SIMULATED_WORKATO_TOKEN, dataCenter: 'us', topicId: SIMULATED_TOPIC, lookupTableId: SIMULATED_TABLE, client, simulated: true };
  }

  return {
    apiEnv,
    brevo,
    workato,
    describe: () => [
      brevo.simulated ? `Brevo: the local simulator (${brevo.baseUrl})` : `Brevo: the account of BREVO_API_KEY${brevo.baseUrl ? ` at ${brevo.baseUrl}` : ''}: the demo's contacts are created there`,
      workato.simulated
        ? 'Workato: the local simulator'
        : `Workato (${workato.dataCenter}): topic ${workato.topicId}${workato.lookupTableId ? `, lookup table ${workato.lookupTableId}` : ' (no WORKATO_LOOKUP_TABLE_ID: the webhook-hint step is skipped)'}`,
    ],
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}
