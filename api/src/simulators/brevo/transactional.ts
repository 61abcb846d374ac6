import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { BrevoError, parse, type BrevoSimulatorState } from './server.ts';
import { ZSendTransacEmail } from './schemas.ts';

export interface SentEmail {
  messageId: string;
  templateId: number;
  to: { email: string; name?: string | undefined }[];
  params: Record<string, unknown>;
  idempotencyKey?: string;
}

/** Brevo's transactional email: the templates the account has, and every email sent. */
export class SimulatedMailer {
  readonly templates = new Set<number>([1]);
  readonly sent: SentEmail[] = [];
  /** A repeated idempotency key gets the first message's answer and sends nothing (Brevo: for its TTL; here: always). */
  readonly #byIdempotencyKey = new Map<string, SentEmail>();

  send(email: Omit<SentEmail, 'messageId'>): SentEmail {
    const earlier = email.idempotencyKey ? this.#byIdempotencyKey.get(email.idempotencyKey) : undefined;
    if (earlier) return earlier;
    const sent = { ...email, messageId: `<${randomUUID()}@smtp-relay.brevo.invalid>` };
    this.sent.push(sent);
    if (email.idempotencyKey) this.#byIdempotencyKey.set(email.idempotencyKey, sent);
    return sent;
  }
}

/** POST /v3/smtp/email, from a template. */
export function registerTransactionalRoutes(app: FastifyInstance, state: BrevoSimulatorState) {
  app.post('/v3/smtp/email', async (request, reply) => {
    const body = parse(ZSendTransacEmail, request.body);
    if (!body.to) throw new BrevoError(400, 'missing_parameter', 'to is required');
    if (body.templateId === undefined) throw new BrevoError(400, 'invalid_parameter', 'the simulator sends from templates only: templateId is required');
    if (!state.mailer.templates.has(body.templateId)) throw new BrevoError(400, 'invalid_parameter', 'Template ID does not exist');
    const idempotencyKey = body.headers?.idempotencyKey;
    const sent = state.mailer.send({
      templateId: body.templateId,
      to: body.to,
      params: body.params ?? {},
      ...(typeof idempotencyKey === 'string' ? { idempotencyKey } : {}),
    });
    return reply.code(201).send({ messageId: sent.messageId });
  });
}
