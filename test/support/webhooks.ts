/** Webhook receivers for tests: local callback servers and the signature check a receiver does. */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookNotification } from '../../api/src/webhooks/schemas.ts';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  notification: WebhookNotification;
}

/**
 * Recipes' callbacks on 127.0.0.1: records every POST by path, and answers each path with the
 * statuses scripted for it, in order, then 200.
 */
export async function startCallbacks() {
  const received = new Map<string, Received[]>();
  const scripted = new Map<string, number[]>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      received.set(path, [...(received.get(path) ?? []), { headers: request.headers, body, notification: JSON.parse(body) as WebhookNotification }]);
      response.writeHead(scripted.get(path)?.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received: (path: string) => received.get(path) ?? [],
    answer: (path: string, ...statuses: number[]) => scripted.set(path, statuses),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** What a receiver does (the README's recipe): HMAC-SHA256 keyed with the secret's bytes, over id.timestamp.body. */
export function signatureValid(secret: string, { headers, body }: Received): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${body}`).digest('base64');
  return String(headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}
