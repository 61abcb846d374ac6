import type { App } from '../../api/src/app.ts';
import type { TestWorkspace } from '../support/app.ts';
import { createObjectType } from '../support/sources.ts';

export interface RecordResultBody {
  index: number;
  status: string;
  id: string | null;
  externalId: string | null;
  errors: { field: string; reason: string }[];
}

/** A subscription type: every attribute type, records identified by `subscription_id`, associated with contacts and vehicles. */
export const SUBSCRIPTION = {
  name: 'subscription',
  attributes: [
    { name: 'subscription_id', type: 'text', required: true },
    { name: 'seats', type: 'number' },
    { name: 'active', type: 'boolean' },
    { name: 'renews_on', type: 'date' },
    { name: 'started_at', type: 'datetime' },
    { name: 'monthly_price', type: 'money' },
    { name: 'billing_email', type: 'email' },
    { name: 'billing_phone', type: 'phone' },
  ],
  externalIdRule: { kind: 'attribute', attribute: 'subscription_id' },
  associations: ['contact', 'vehicle'],
};

export const VEHICLE = {
  name: 'vehicle',
  attributes: [
    { name: 'vin', type: 'text', required: true },
    { name: 'plate', type: 'text' },
  ],
  externalIdRule: { kind: 'hash', attributes: ['vin'] },
};

/** Creates the vehicle type, then the subscription type (which may be associated with vehicles). */
export async function defineTypes(app: App, ws: TestWorkspace) {
  for (const type of [VEHICLE, SUBSCRIPTION]) await createObjectType(app, ws, type);
}
