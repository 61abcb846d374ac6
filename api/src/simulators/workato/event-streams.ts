import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { WORKATO_LIMITS } from '../../workato/client.ts';
import type { EventStreamMessage } from '../../workato/types.ts';
import { notFound, parse, WorkatoSimulatorError } from './errors.ts';

const MAX_CONSUME_BATCH = WORKATO_LIMITS.consumeBatch.max;
const MAX_CONSUME_TIMEOUT_SECS = WORKATO_LIMITS.consumeTimeoutSecs.max;
const MAX_PUBLISH_BATCH = WORKATO_LIMITS.publishBatch.max;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

const ZConsume = z.object({
  after_message_id: z.string().min(1).optional(),
  since_time: z.string().regex(RFC3339, 'must be an RFC 3339 time').optional(),
  batch_size: z.number().int().min(1).max(MAX_CONSUME_BATCH).optional(),
  timeout_secs: z.number().int().min(0).max(MAX_CONSUME_TIMEOUT_SECS).optional(),
});
const ZPayload = z.record(z.string(), z.unknown());
const ZBatch = z.object({ payloads: z.array(ZPayload).min(1).max(MAX_PUBLISH_BATCH) });

interface StoredMessage extends EventStreamMessage {
  /** Publication time in ms, for since_time. */
  at: number;
}

interface Topic {
  messages: StoredMessage[];
  /** Position of each message ID, for after_message_id. */
  positions: Map<string, number>;
  /** Long polls waiting for the next publication. */
  waiters: Set<() => void>;
  consumeCalls: number;
  messagesReturned: number;
}

export interface ReadRequest {
  afterMessageId?: string | undefined;
  sinceTime?: string | undefined;
  batchSize: number;
}

/** The topics of one workspace: ordered messages, IDs monotonic within a topic, long polls woken by publications. */
export class TopicStore {
  readonly #topics = new Map<string, Topic>();
  #lastAt = 0;

  createTopic(topicId: string) {
    let topic = this.#topics.get(topicId);
    if (!topic) this.#topics.set(topicId, (topic = { messages: [], positions: new Map(), waiters: new Set(), consumeCalls: 0, messagesReturned: 0 }));
    return topic;
  }

  #existing(topicId: string) {
    const topic = this.#topics.get(topicId);
    if (!topic) throw notFound(`Topic ${topicId}`);
    return topic;
  }

  has(topicId: string) {
    return this.#topics.has(topicId);
  }

  /** Appends messages (creating the topic in-process; over HTTP it must exist) and wakes the long polls. */
  publish(topicId: string, payloads: Record<string, unknown>[]): EventStreamMessage[] {
    const topic = this.createTopic(topicId);
    const published = payloads.map((payload) => {
      // Times never go backwards within the simulator, so time order is publication order.
      const at = (this.#lastAt = Math.max(Date.now(), this.#lastAt));
      const sequence = topic.messages.length + 1;
      // Opaque to consumers; zero-padded so IDs also sort in publication order.
      const message: StoredMessage = { messageId: `msg-${sequence.toString(36).padStart(10, '0')}`, payload: structuredClone(payload), time: new Date(at).toISOString(), at };
      topic.positions.set(message.messageId, topic.messages.length);
      topic.messages.push(message);
      return message;
    });
    for (const wake of topic.waiters) wake();
    topic.waiters.clear();
    return published.map(({ messageId, payload, time }) => ({ messageId, payload, time }));
  }

  messages(topicId: string): EventStreamMessage[] {
    return (this.#topics.get(topicId)?.messages ?? []).map(({ messageId, payload, time }) => ({ messageId, payload, time }));
  }

  /** The messages a consume request gets right now (possibly none). */
  read(topicId: string, request: ReadRequest): StoredMessage[] {
    const topic = this.#existing(topicId);
    let start = 0;
    if (request.afterMessageId !== undefined) {
      const position = topic.positions.get(request.afterMessageId);
      if (position === undefined) throw new WorkatoSimulatorError(400, `after_message_id ${request.afterMessageId} is not a message of topic ${topicId}`);
      start = position + 1;
    } else if (request.sinceTime !== undefined) {
      // A time in the future means now.
      const since = Math.min(Date.parse(request.sinceTime), Date.now());
      start = topic.messages.findIndex((message) => message.at >= since);
      if (start < 0) start = topic.messages.length;
    }
    return topic.messages.slice(start, start + request.batchSize);
  }

  /** Resolves at the next publication to the topic, after `ms`, or when `cancel` fires. */
  waitForPublication(topicId: string, ms: number, cancel: (stop: () => void) => void): Promise<void> {
    const topic = this.#existing(topicId);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        topic.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      topic.waiters.add(done);
      cancel(done);
    });
  }

  /** Ends every long poll (the simulator is closing). */
  wakeAll() {
    for (const topic of this.#topics.values()) {
      for (const wake of [...topic.waiters]) wake();
    }
  }

  countConsume(topicId: string, returned: number) {
    const topic = this.#existing(topicId);
    topic.consumeCalls += 1;
    topic.messagesReturned += returned;
  }

  stats(topicId: string) {
    const topic = this.#topics.get(topicId);
    return { consumeCalls: topic?.consumeCalls ?? 0, messagesReturned: topic?.messagesReturned ?? 0 };
  }
}

const wire = (message: StoredMessage) => ({ message_id: message.messageId, payload: message.payload, time: message.time });

/** The Event Streams public API: consume (with long polling), publish, batch publish. */
export function registerEventStreamRoutes(app: FastifyInstance, topics: TopicStore) {
  app.post('/api/v1/topics/:topic_id/consume', async (request, reply) => {
    const { topic_id: topicId } = request.params as { topic_id: string };
    const body = parse(ZConsume, request.body);
    if (body.after_message_id !== undefined && body.since_time !== undefined) {
      throw new WorkatoSimulatorError(400, 'after_message_id and since_time cannot be used together');
    }
    const read = { afterMessageId: body.after_message_id, sinceTime: body.since_time, batchSize: body.batch_size ?? WORKATO_LIMITS.consumeBatch.default };
    let messages = topics.read(topicId, read);
    if (messages.length === 0 && (body.timeout_secs ?? 0) > 0) {
      await topics.waitForPublication(topicId, body.timeout_secs! * 1000, (stop) => reply.raw.once('close', stop));
      messages = topics.read(topicId, read);
    }
    topics.countConsume(topicId, messages.length);
    return { messages: messages.map(wire) };
  });

  app.post('/api/v1/topics/:topic_id/publish', async (request) => {
    const { topic_id: topicId } = request.params as { topic_id: string };
    const payload = parse(ZPayload, request.body);
    if (!topics.has(topicId)) throw notFound(`Topic ${topicId}`);
    const [message] = topics.publish(topicId, [payload]);
    return { message_id: message!.messageId };
  });

  app.post('/api/v1/batch/topics/:topic_id/publish', async (request) => {
    const { topic_id: topicId } = request.params as { topic_id: string };
    const { payloads } = parse(ZBatch, request.body);
    if (!topics.has(topicId)) throw notFound(`Topic ${topicId}`);
    return { message_ids: topics.publish(topicId, payloads).map((message) => message.messageId), is_partial_error: false };
  });
}
