import { expect } from 'vitest';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import type { ActivationHarness } from '../support/activation.ts';
import { createObjectType } from '../support/sources.ts';

export async function post<T>(h: ActivationHarness, ws: TestWorkspace, url: string, payload: object, key = ws.writeKey): Promise<T> {
  const response = await h.t.app.inject({ method: 'POST', url, headers: withKey(key), payload });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json<T>();
}

/** A Tajo type `name` going to the Brevo type of the same name, records named by `code`, text attributes. */
export async function defineType(h: ActivationHarness, ws: TestWorkspace, name: string, attributes: string[], associations: string[] = ['contact']) {
  await createObjectType(h.t.app, ws, {
    name,
    attributes: [{ name: 'code', type: 'text', required: true }, ...attributes.map((attribute) => ({ name: attribute, type: 'text' }))],
    externalIdRule: { kind: 'attribute', attribute: 'code' },
    associations,
  });
}

/**
 * A workspace connected to the simulator, with type `name` in Tajo (text attributes, see defineType)
 * and in Brevo, which has `inBrevo` of them (all by default: fewer to make Brevo drop the others).
 */
export async function connectedWithType(h: ActivationHarness, name: string, attributes: string[], { inBrevo = attributes, associations = ['contact'] }: { inBrevo?: string[]; associations?: string[] } = {}) {
  const ws = await createWorkspace(h.t.app);
  await h.connect(ws);
  h.brevo.state.objects.defineType(name, { attributes: Object.fromEntries(['code', ...inBrevo].map((attribute) => [attribute, 'text'])), associations });
  await defineType(h, ws, name, attributes, associations);
  return ws;
}

/** Brevo object batch upserts the simulator has answered. */
export const objectUpserts = (h: ActivationHarness) => h.brevo.state.count((r) => r.method === 'POST' && r.route.startsWith('/v3/objects/'));

export async function deadLetters(h: ActivationHarness, ws: TestWorkspace) {
  const response = await h.t.app.inject({ method: 'GET', url: '/v1/dead-letters?status=open&limit=100', headers: withKey(ws.readKey) });
  return response.json<{ data: { id: string; entityType: string; category: string; reason: string; sourceObjectId: string }[] }>().data;
}

/** Contacts crm:<i>, with emails. */
export const contactsBatch = (h: ActivationHarness, ws: TestWorkspace, ids: number[]) =>
  post(h, ws, '/v1/contacts/batch', { records: ids.map((i) => ({ externalId: `crm:${i}`, email: `c${i}@example.com` })) });
