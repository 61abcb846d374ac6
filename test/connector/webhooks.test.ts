/**
 * The connector's real-time triggers end to end: webhook_subscribe registers a local callback with
 * the API, an API-side change arrives there signed, webhook_notification turns it into the record
 * the trigger declares, and after webhook_unsubscribe nothing more is delivered. 5xx answers from
 * the callback are retried. Runs through the harness (test/support/workato), not Workato's runtime.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWorkspace, type TestWorkspace } from '../support/app.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import { waitFor } from '../support/worker.ts';
import { signatureValid, startCallbacks } from '../support/webhooks.ts';
import { conformance, WorkatoHarness, type Json } from '../support/workato/harness.ts';

let rig: ActivationHarness;
let callbacks: Awaited<ReturnType<typeof startCallbacks>>;
let ws: TestWorkspace;
let connector: WorkatoHarness;

beforeAll(async () => {
  rig = await startActivationHarness();
  callbacks = await startCallbacks();
  ws = await createWorkspace(rig.t.app);
  const baseUrl = await rig.t.app.listen({ host: '127.0.0.1', port: 0 });
  connector = await WorkatoHarness.load({ base_url: baseUrl, api_key: ws.writeKey });
}, 60_000);

afterAll(async () => {
  await callbacks?.close();
  await rig?.close();
});

const upsert = (sourceId: string, firstName: string) =>
  connector.value({ kind: 'execute', key: 'upsert_contact', args: [{ source: 'shop', sourceId, firstName, email: `${sourceId}@example.com` }] });

it('subscribe, a change delivered signed, unsubscribe, nothing more; 5xx retried', async () => {
  const trigger = 'new_or_updated_contact_real_time';
  const subscription = (await connector.value({ kind: 'webhook_subscribe', key: trigger, args: [callbacks.url('/recipe-1'), {}, 'recipe-1'] })) as Record<string, Json>;
  expect(subscription).toMatchObject({ url: callbacks.url('/recipe-1'), events: ['contact.created', 'contact.updated'], status: 'active' });
  // Workato is briefly unavailable: two 503s, then the delivery goes through.
  callbacks.answer('/recipe-1', 503, 503);

  await upsert('w1', 'Ada');
  await waitFor(() => callbacks.received('/recipe-1').length >= 3, 30_000, 'the delivery, retried after two 503s');
  const attempts = callbacks.received('/recipe-1');
  expect(new Set(attempts.map((attempt) => attempt.notification.id)).size).toBe(1);
  const delivered = attempts.at(-1)!;
  expect(signatureValid(subscription.secret as string, delivered)).toBe(true);
  expect(delivered.notification.type).toBe('contact.created');

  const record = (await connector.value({ kind: 'webhook_notification', key: trigger, args: [{}, delivered.notification as unknown as Json, delivered.headers as Json] })) as Record<string, Json>;
  expect(record).toMatchObject({ email: 'w1@example.com', firstName: 'Ada' });
  expect(conformance(await connector.value({ kind: 'output_fields', key: trigger }), record)).toEqual([]);
  const firstKey = await connector.value({ kind: 'dedup', key: trigger, args: [record] });

  await upsert('w1', 'Ada Augusta');
  await waitFor(() => callbacks.received('/recipe-1').length >= 4, 30_000, 'the update');
  const update = callbacks.received('/recipe-1')[3]!;
  expect(update.notification.type).toBe('contact.updated');
  const updated = (await connector.value({ kind: 'webhook_notification', key: trigger, args: [{}, update.notification as unknown as Json, {}] })) as Record<string, Json>;
  expect(updated.firstName).toBe('Ada Augusta');
  expect(await connector.value({ kind: 'dedup', key: trigger, args: [updated] })).not.toBe(firstKey);

  await connector.value({ kind: 'webhook_unsubscribe', key: trigger, args: [subscription] });
  // Unsubscribing twice (a subscription already gone) is not an error.
  await connector.value({ kind: 'webhook_unsubscribe', key: trigger, args: [subscription] });
  await upsert('w2', 'Grace');
  await rig.settle();
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(callbacks.received('/recipe-1')).toHaveLength(4);
}, 90_000);

it('every real-time trigger subscribes to its own event types', async () => {
  const triggers = JSON.parse(connector.eval('$connector[:triggers].keys.select { |key| $connector[:triggers][key].key?(:webhook_subscribe) }.map(&:to_s).to_json')) as string[];
  expect(triggers.sort()).toEqual(['new_dead_letter_real_time', 'new_event_real_time', 'new_or_updated_contact_real_time']);
  const subscribed = await connector.value({ kind: 'webhook_subscribe', key: 'new_event_real_time', args: [callbacks.url('/recipe-2'), {}, 'recipe-2'] });
  expect((subscribed as Record<string, Json>).events).toEqual(['event.tracked']);
  await connector.value({ kind: 'execute', key: 'track_event', args: [{ name: 'order_completed', occurredAt: '2026-11-23', contact: { email: 'w1@example.com' } }] });
  await waitFor(() => callbacks.received('/recipe-2').length >= 1, 30_000, 'the event notification');
  const event = (await connector.value({ kind: 'webhook_notification', key: 'new_event_real_time', args: [{}, callbacks.received('/recipe-2')[0]!.notification as unknown as Json, {}] })) as Record<string, Json>;
  expect(event.name).toBe('order_completed');
  expect(conformance(await connector.value({ kind: 'output_fields', key: 'new_event_real_time' }), event)).toEqual([]);
  await connector.value({ kind: 'webhook_unsubscribe', key: 'new_event_real_time', args: [subscribed] });
}, 60_000);
