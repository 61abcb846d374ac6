import type { FastifyInstance } from 'fastify';
import { BrevoError, parse, type BrevoSimulatorState } from './server.ts';
import { ZCreateEmailCampaign, ZEmailCampaignsQuery } from './schemas.ts';

export interface SimulatedCampaign {
  id: number;
  name: string;
  type: 'classic';
  status: 'draft' | 'queued';
  subject?: string | undefined;
  templateId?: number | undefined;
  listIds: number[];
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

/** GET/POST /v3/emailCampaigns. */
export function registerCampaignRoutes(app: FastifyInstance, state: BrevoSimulatorState) {
  app.get('/v3/emailCampaigns', async (request) => {
    const query = parse(ZEmailCampaignsQuery, request.query);
    const matching = [...state.campaigns.campaigns.values()].filter((c) => (!query.type || c.type === query.type) && (!query.status || c.status === query.status));
    const ordered = query.sort === 'asc' ? matching : matching.reverse();
    return { campaigns: ordered.slice(query.offset, query.offset + query.limit), count: matching.length };
  });

  app.post('/v3/emailCampaigns', async (request, reply) => {
    const body = parse(ZCreateEmailCampaign, request.body);
    if (!body.sender.email && body.sender.id === undefined) throw new BrevoError(400, 'missing_parameter', 'sender email or id is required');
    if (body.templateId !== undefined && !state.mailer.templates.has(body.templateId)) throw new BrevoError(400, 'invalid_parameter', 'Template ID does not exist');
    const listIds = body.recipients?.listIds ?? [];
    for (const listId of listIds) if (!state.listStore.lists.has(listId)) throw new BrevoError(400, 'invalid_parameter', `List ID ${listId} does not exist`);
    const campaign = state.campaigns.create({
      name: body.name,
      type: 'classic',
      status: body.scheduledAt ? 'queued' : 'draft',
      subject: body.subject,
      templateId: body.templateId,
      listIds,
      createdAt: new Date().toISOString(),
    });
    return reply.code(201).send({ id: campaign.id });
  });
}
