import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { BrevoError, parse, type BrevoSimulatorState } from './server.ts';
import { MAX_BATCH_EVENTS_BYTES, ZCreateBatchEvents, ZCreateEvent } from './schemas.ts';

/** An event as Brevo recorded it: the request's fields, and when it arrived. */
export type SimulatedEvent = z.infer<typeof ZCreateEvent> & { event_date: string; receivedAt: string };

const MAX_EVENT_PROPERTIES_BYTES = 50 * 1024;

/** Brevo's checks beyond the request's shape; throws the 400 Brevo answers. */
function recordable(state: BrevoSimulatorState, event: z.infer<typeof ZCreateEvent>): SimulatedEvent {
  if (event.event_properties && Buffer.byteLength(JSON.stringify(event.event_properties)) > MAX_EVENT_PROPERTIES_BYTES) {
    throw new BrevoError(400, 'invalid_parameter', 'event_properties: size is limited to 50Kb');
  }
  const { ext_id: extId, email_id: email } = event.identifiers;
  const byExtId = extId ? state.byExtId(extId) : undefined;
  const byEmail = email ? state.byEmail(email) : undefined;
  if (byExtId && byEmail && byExtId !== byEmail) throw new BrevoError(400, 'invalid_parameter', 'identifiers: ext_id and email_id belong to different contacts');
  const receivedAt = new Date().toISOString();
  return { ...event, event_date: event.event_date ?? receivedAt, receivedAt };
}

/** POST /v3/events and POST /v3/events/batch; recorded events are in `state.events`, in arrival order. */
export function registerEventRoutes(app: FastifyInstance, state: BrevoSimulatorState) {
  app.post('/v3/events', async (request, reply) => {
    state.events.push(recordable(state, parse(ZCreateEvent, request.body)));
    return reply.code(204).send();
  });

  app.post('/v3/events/batch', async (request, reply) => {
    if (JSON.stringify(request.body ?? {}).length > MAX_BATCH_EVENTS_BYTES) throw new BrevoError(400, 'invalid_parameter', 'the request body is limited to 512 KB');
    const { events } = parse(ZCreateBatchEvents, request.body);
    const accepted: SimulatedEvent[] = [];
    const refusals = new Map<string, number[]>();
    events.forEach((raw, index) => {
      try {
        accepted.push(recordable(state, parse(ZCreateEvent, raw)));
      } catch (error) {
        if (!(error instanceof BrevoError)) throw error;
        refusals.set(error.message, [...(refusals.get(error.message) ?? []), index]);
      }
    });
    if (accepted.length === 0) throw new BrevoError(400, 'invalid_parameter', [...refusals.keys()].join('; '));
    state.events.push(...accepted);
    if (refusals.size === 0) return reply.code(202).send({ message: 'Batch accepted. Valid events have been added to the processing queue.', count: accepted.length });
    return reply.code(207).send({
      status: 'partial_success',
      total_events: events.length,
      successful_events: accepted.length,
      failed_events: events.length - accepted.length,
      errors: [...refusals].map(([message, eventIndex]) => ({ eventIndex, message })),
    });
  });
}
