import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { BrevoSpecValidator, brevoSpecAvailable } from '../support/brevo-spec.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import type { BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { ZCreateEmailCampaign } from '../../api/src/simulators/brevo/schemas.ts';
import { brevoCampaignName } from '../../api/src/brevo/campaign-activation.ts';

let harness: ActivationHarness;
let t: TestApp;
let brevo: BrevoSimulator;

beforeAll(async () => {
  harness = await startActivationHarness();
  ({ t, brevo } = harness);
  brevo.state.mailer.templates.add(12);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

afterEach(() => brevo.setFaults({}));

const settle = () => harness.settle(120_000);

async function post(ws: TestWorkspace, url: string, payload: object, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url, headers: withKey(ws.writeKey, headers), payload });
}

interface Draft {
  id: string;
  name: string;
  status: string;
  brevoCampaignId: number | null;
}

const draftInput = (listId: string, name: string, templateId = 12) => ({ name, listId, subject: `About ${name}`, sender: { name: 'Shop', email: 'news@shop.example' }, templateId });
const campaignsNamed = (name: string) => [...brevo.state.campaigns.campaigns.values()].filter((c) => c.name === name);
const requeue = (ws: TestWorkspace, id: string) =>
  t.db.activationOutbox.create({ data: { workspaceId: ws.id, entityType: 'campaign_draft', entityId: id, operation: 'create', entityVersion: 1 } });

describe('campaign drafts', () => {
  it('creates one Brevo draft aimed at the Brevo list of a Tajo list, found again by name when replayed', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    const list = (await post(ws, '/v1/lists', { name: 'Newsletter' })).json<{ id: string }>();
    const queued = await post(ws, '/v1/campaigns/drafts', draftInput(list.id, 'November'));
    expect(queued.statusCode, queued.body).toBe(202);
    const draft = queued.json<Draft>();
    expect(draft.status).toBe('queued');
    await settle();
    const brevoListId = (await t.db.brevoListState.findUniqueOrThrow({ where: { listId: list.id } })).brevoListId;
    const [campaign] = campaignsNamed(brevoCampaignName(draft));
    expect(campaignsNamed(brevoCampaignName(draft))).toHaveLength(1);
    expect(campaign).toMatchObject({ status: 'draft', subject: 'About November', templateId: 12, listIds: [brevoListId] });
    const read = (await t.app.inject({ method: 'GET', url: `/v1/campaigns/drafts/${draft.id}`, headers: withKey(ws.readKey) })).json<Draft>();
    expect(read).toMatchObject({ status: 'created', brevoCampaignId: campaign!.id });

    // Brevo created it but the answer was lost (a crash, a timeout): the retry finds it by name.
    await t.db.campaignDraft.update({ where: { id: draft.id }, data: { status: 'queued', brevoCampaignId: null } });
    await requeue(ws, draft.id);
    await settle();
    expect(campaignsNamed(brevoCampaignName(draft))).toHaveLength(1);
    expect((await t.db.campaignDraft.findUniqueOrThrow({ where: { id: draft.id } })).brevoCampaignId).toBe(campaign!.id);
    // Only the replay looked it up; the first attempt went straight to creation.
    expect(brevo.state.count((r) => r.route === '/v3/emailCampaigns' && r.method === 'GET')).toBe(1);

    const other = await createWorkspace(t.app);
    expect((await t.app.inject({ method: 'GET', url: `/v1/campaigns/drafts/${draft.id}`, headers: withKey(other.readKey) })).statusCode).toBe(404);
  });

  it('creates each draft exactly once under 20% 429s and 5% 5xx (a 5xx on creation is looked up, not re-sent)', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    const list = (await post(ws, '/v1/lists', { name: 'Faulty' })).json<{ id: string }>();
    brevo.setFaults({ rateLimited: 0.2, serverError: 0.05 });
    const drafts: Draft[] = [];
    for (let i = 0; i < 12; i += 1) drafts.push((await post(ws, '/v1/campaigns/drafts', draftInput(list.id, `Wave ${i}`))).json<Draft>());
    await settle();
    brevo.setFaults({});
    for (const draft of drafts) expect(campaignsNamed(brevoCampaignName(draft))).toHaveLength(1);
    expect(await t.db.campaignDraft.count({ where: { workspaceId: ws.id, status: 'created' } })).toBe(12);
  }, 120_000);

  it('dead-letters a draft Brevo refuses, and refuses an unknown list with problem+json', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    const list = (await post(ws, '/v1/lists', { name: 'Refused' })).json<{ id: string }>();
    const draft = (await post(ws, '/v1/campaigns/drafts', draftInput(list.id, 'No template', 404))).json<Draft>();
    await settle();
    expect(await t.db.deadLetter.findFirstOrThrow({ where: { workspaceId: ws.id, entityType: 'campaign_draft' } })).toMatchObject({ entityId: draft.id, category: 'mapping' });
    expect((await t.db.campaignDraft.findUniqueOrThrow({ where: { id: draft.id } })).status).toBe('failed');

    const unknown = await post(ws, '/v1/campaigns/drafts', draftInput('00000000-0000-4000-8000-000000000000', 'Nowhere'));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json()).toMatchObject({ errors: [{ field: 'body.listId' }] });
  });
});

describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('POST /v3/emailCampaigns: the simulator accepts exactly the properties the spec names', () => {
    const validator = new BrevoSpecValidator();
    const spec = validator.resolve(validator.requestSchema('POST', '/v3/emailCampaigns')!);
    expect(Object.keys(ZCreateEmailCampaign.shape).sort()).toEqual(Object.keys(spec.properties as object).sort());
  });

  it('no request sent to the simulator in this file violated it', () => {
    expect(harness.validator!.violations).toEqual([]);
  });
});
