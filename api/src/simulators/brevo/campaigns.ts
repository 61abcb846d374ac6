import type { FastifyInstance } from 'fastify';
import { BrevoError, parse, SIMULATED_ACCOUNT_EMAIL, type BrevoSimulatorState } from './server.ts';
import { ZCreateEmailCampaign, ZEmailCampaignsQuery } from './schemas.ts';

export interface SimulatedCampaign {
  id: number;
  name: string;
  type: 'classic';
  status: 'draft' | 'queued';
  subject?: string | undefined;
  templateId?: number | undefined;
  sender: { name?: string | undefined; email?: string | undefined; id?: number | undefined };
  replyTo: string;
  listIds: number[];
  exclusionListIds: number[];
  createdAt: string;
}

/** Brevo's email campaigns. Like Brevo, names are not unique: nothing stops a second campaign of the same name. */
export class SimulatedCampaigns {
  readonly campaigns = new Map<number, SimulatedCampaign>();
  #nextId = 1;

  create(campaign: Omit<SimulatedCampaign, 'id'>): SimulatedCampaign {
    const created = { ...campaign, id: this.#nextId++ };
    this.campaigns.set(created.id, created);
    return created;
  }
}

/** A campaign's counters before it is sent: all zero. */
const NO_STATS = {
  uniqueClicks: 0,
  clickers: 0,
  complaints: 0,
  delivered: 0,
  sent: 0,
  softBounces: 0,
  hardBounces: 0,
  uniqueViews: 0,
  trackableViews: 0,
  unsubscriptions: 0,
  viewed: 0,
};

/**
 * A campaign as GET /emailCampaigns lists it. Its content (HTML, header, footer) is checked for shape
 * only and not kept, so it is answered empty; the simulator sends no campaign, so none has statistics.
 */
const campaignView = (campaign: SimulatedCampaign) => ({
  id: campaign.id,
  name: campaign.name,
  ...(campaign.subject !== undefined ? { subject: campaign.subject } : {}),
  type: campaign.type,
  status: campaign.status,
  testSent: false,
  header: '',
  footer: '',
  htmlContent: '',
  sender: campaign.sender,
  replyTo: campaign.replyTo,
  createdAt: campaign.createdAt,
  modifiedAt: campaign.createdAt,
  recipients: { lists: campaign.listIds, exclusionLists: campaign.exclusionListIds },
  statistics: { globalStats: NO_STATS, campaignStats: [], mirrorClick: 0, remaining: 0, linksStats: {}, statsByDomain: {}, statsByDevice: {}, statsByBrowser: {} },
});

/** GET/POST /v3/emailCampaigns. */
export function registerCampaignRoutes(app: FastifyInstance, state: BrevoSimulatorState) {
  app.get('/v3/emailCampaigns', async (request) => {
    const query = parse(ZEmailCampaignsQuery, request.query);
    const matching = [...state.campaigns.campaigns.values()].filter((c) => (!query.type || c.type === query.type) && (!query.status || c.status === query.status));
    const ordered = query.sort === 'asc' ? matching : matching.reverse();
    return { campaigns: ordered.slice(query.offset, query.offset + query.limit).map(campaignView), count: matching.length };
  });

  app.post('/v3/emailCampaigns', async (request, reply) => {
    const body = parse(ZCreateEmailCampaign, request.body);
    if (!body.sender.email && body.sender.id === undefined) throw new BrevoError(400, 'missing_parameter', 'sender email or id is required');
    if (body.templateId !== undefined && !state.mailer.templates.has(body.templateId)) throw new BrevoError(400, 'invalid_parameter', 'Template ID does not exist');
    const listIds = body.recipients?.listIds ?? [];
    const exclusionListIds = body.recipients?.exclusionListIds ?? [];
    for (const listId of [...listIds, ...exclusionListIds]) if (!state.listStore.lists.has(listId)) throw new BrevoError(400, 'invalid_parameter', `List ID ${listId} does not exist`);
    const campaign = state.campaigns.create({
      name: body.name,
      type: 'classic',
      status: body.scheduledAt ? 'queued' : 'draft',
      subject: body.subject,
      templateId: body.templateId,
      sender: body.sender,
      // Brevo replies to the sender unless told otherwise; a sender named by ID only has the account's address here.
      replyTo: body.replyTo ?? body.sender.email ?? SIMULATED_ACCOUNT_EMAIL,
      listIds,
      exclusionListIds,
      createdAt: new Date().toISOString(),
    });
    return reply.code(201).send({ id: campaign.id });
  });
}
