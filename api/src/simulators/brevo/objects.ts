import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { BrevoError, parse, type BrevoSimulatorState, type SimulatedContact } from './server.ts';
import { MAX_OBJECT_BATCH_BYTES, ZObjectRecordsQuery, ZUpsertObjectRecords, type ZObjectRecord } from './schemas.ts';

/** Attribute types of Brevo's custom objects that the simulator checks values against. */
export type ObjectAttributeType = 'text' | 'number' | 'boolean' | 'date' | 'multiple_choice';

/** An object type as a test sets it up in Brevo's UI: Brevo's API creates neither types, attributes nor associations. */
export interface ObjectTypeDefinition {
  attributes: Record<string, ObjectAttributeType>;
  /** Object types its records may be linked to ('contact' for contacts). An association between two types goes both ways. */
  associations?: string[];
}

export interface SimulatedObjectRecord {
  id: number;
  extId?: string;
  /** Only attributes of the type's schema: Brevo drops the others without a word. */
  attributes: Record<string, unknown>;
  /** Linked records by their object type: contact IDs under 'contact', object record IDs otherwise. */
  associations: Map<string, Set<number>>;
  createdAt: string;
  updatedAt: string;
}

type Identifiers = { ext_id?: string | undefined; id?: number | undefined };
type UpsertedRecord = z.infer<typeof ZObjectRecord>;

/** A record of a batch that Brevo did not apply, by its index in the request. */
export interface ObjectRecordError {
  index: number;
  identifiers?: Identifiers;
  message: string;
}

/**
 * What GET /processes/{processId} reports of a finished batch upsert, under `info.object_records`.
 * Brevo documents that records it cannot apply (an unknown `id`, an associated record that does
 * not exist) fail in the background while the answer was 202, but not how the process shows them:
 * this shape is the simulator's, modelled on the import report that sits under `info.import`.
 */
export interface ObjectBatchReport {
  processed: number;
  errors: ObjectRecordError[];
}

export const CONTACT_OBJECT_TYPE = 'contact';
/** GET /objects/{object_type}/records shows this many associated records per association. */
const ASSOCIATED_RECORDS_SHOWN = 5;

const ACCEPTS: Record<ObjectAttributeType, (value: unknown) => boolean> = {
  text: (value) => typeof value === 'string' || typeof value === 'number',
  number: (value) => typeof value === 'number',
  boolean: (value) => typeof value === 'boolean',
  date: (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value)),
  multiple_choice: (value) => Array.isArray(value),
};

interface ObjectType {
  attributes: Map<string, ObjectAttributeType>;
  associations: Set<string>;
  records: Map<number, SimulatedObjectRecord>;
  byExtId: Map<string, SimulatedObjectRecord>;
}

const describe = (identifiers: Identifiers) => (identifiers.ext_id !== undefined ? `ext_id ${identifiers.ext_id}` : `id ${identifiers.id}`);

/** Brevo's custom object types and their records. Contacts stay in the simulator's contacts. */
export class SimulatedObjectStore {
  readonly #types = new Map<string, ObjectType>();
  #nextRecordId = 1;

  constructor(private readonly findContact: (identifiers: Identifiers) => SimulatedContact | undefined) {}

  defineType(name: string, definition: ObjectTypeDefinition) {
    if (name === CONTACT_OBJECT_TYPE || this.#types.has(name)) throw new Error(`object type ${name} already exists`);
    this.#types.set(name, {
      attributes: new Map(Object.entries(definition.attributes)),
      associations: new Set(definition.associations),
      records: new Map(),
      byExtId: new Map(),
    });
  }

  hasType(name: string) {
    return this.#types.has(name);
  }

  /** The records of a type, oldest first. */
  records(type: string): SimulatedObjectRecord[] {
    return [...this.#type(type).records.values()];
  }

  byExtId(type: string, extId: string) {
    return this.#type(type).byExtId.get(extId);
  }

  byId(type: string, id: number) {
    return this.#type(type).records.get(id);
  }

  #type(name: string): ObjectType {
    const type = this.#types.get(name);
    if (!type) throw new BrevoError(400, 'invalid_parameter', 'invalid object type');
    return type;
  }

  #find(type: ObjectType, identifiers: Identifiers) {
    return identifiers.id !== undefined ? type.records.get(identifiers.id) : type.byExtId.get(identifiers.ext_id!);
  }

  /** The ID of an existing record of `type` (a contact for 'contact'), or a refusal. */
  #linkable(from: string, to: string, identifiers: Identifiers): number {
    const target = this.#types.get(to);
    const allowed = this.#types.get(from)!.associations.has(to) || Boolean(target?.associations.has(from));
    if (!allowed) throw new BrevoError(400, 'invalid_parameter', `no association between ${from} and ${to}`);
    const found = target ? this.#find(target, identifiers) : this.findContact(identifiers);
    if (!found) throw new BrevoError(400, 'document_not_found', `associated ${to} record with ${describe(identifiers)} does not exist`);
    return found.id;
  }

  /** Applies one record of a batch as Brevo does, all or nothing; throws why it cannot. */
  apply(typeName: string, input: UpsertedRecord): SimulatedObjectRecord {
    const type = this.#type(typeName);
    const identifiers = input.identifiers ?? {};
    const existing = identifiers.id !== undefined || identifiers.ext_id !== undefined ? this.#find(type, identifiers) : undefined;
    // An id names a record Brevo generated: it updates, never creates.
    if (!existing && identifiers.id !== undefined) throw new BrevoError(400, 'document_not_found', `${typeName} record with id ${identifiers.id} does not exist`);
    const attributes: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(input.attributes)) {
      const attributeType = type.attributes.get(name);
      if (!attributeType) continue;
      if (!ACCEPTS[attributeType](value)) throw new BrevoError(400, 'invalid_parameter', `invalid value for attribute ${name} of type ${attributeType}`);
      attributes[name] = value;
    }
    const links = (input.associations ?? []).map((association) => ({
      objectType: association.object_type,
      ids: association.records.map((record) => this.#linkable(typeName, association.object_type, record.identifiers)),
    }));

    const now = new Date().toISOString();
    const record: SimulatedObjectRecord = existing ?? { id: this.#nextRecordId++, attributes: {}, associations: new Map(), createdAt: now, updatedAt: now };
    if (!existing) {
      if (identifiers.ext_id !== undefined) {
        record.extId = identifiers.ext_id;
        type.byExtId.set(identifiers.ext_id, record);
      }
      type.records.set(record.id, record);
    }
    Object.assign(record.attributes, attributes);
    record.updatedAt = now;
    for (const { objectType, ids } of links) {
      for (const id of ids) {
        link(record, objectType, id);
        const other = this.#types.get(objectType)?.records.get(id);
        if (other) link(other, typeName, record.id);
      }
    }
    return record;
  }
}

function link(record: SimulatedObjectRecord, objectType: string, id: number) {
  const ids = record.associations.get(objectType) ?? new Set<number>();
  ids.add(id);
  record.associations.set(objectType, ids);
}

const recordView = (record: SimulatedObjectRecord, withAssociations: boolean) => ({
  identifiers: { id: record.id, ...(record.extId !== undefined ? { ext_id: record.extId } : {}) },
  attributes: record.attributes,
  createdAt: record.createdAt,
  updatedAt: record.updatedAt,
  ...(withAssociations
    ? {
        associations: [...record.associations].map(([objectType, ids]) => ({
          object_type: objectType,
          records: [...ids].slice(0, ASSOCIATED_RECORDS_SHOWN).map((id) => ({ identifiers: { id } })),
        })),
      }
    : {}),
});

/** How long a batch upsert waits before it is carried out: a fixed time, or one per batch (its type and the ext_ids it carries). */
export type ObjectBatchDelay = number | ((objectType: string, extIds: string[]) => number);

/** POST /v3/objects/{object_type}/batch/upsert (carried out after `delayMs`) and GET /v3/objects/{object_type}/records. */
export function registerObjectRoutes(app: FastifyInstance, state: BrevoSimulatorState, { delayMs }: { delayMs: ObjectBatchDelay }) {
  const store = state.objects;

  // Route parameters are named as Brevo's spec names them, so requests are checked against it.
  app.post('/v3/objects/:object_type/batch/upsert', async (request, reply) => {
    const { object_type: objectType } = request.params as { object_type: string };
    if (Buffer.byteLength(JSON.stringify(request.body ?? {})) > MAX_OBJECT_BATCH_BYTES) throw new BrevoError(400, 'invalid_parameter', 'the request body is limited to 1 MB');
    if (!store.hasType(objectType)) throw new BrevoError(400, 'invalid_parameter', 'invalid object type');
    const { records } = parse(ZUpsertObjectRecords, request.body);
    const delay = typeof delayMs === 'number' ? delayMs : delayMs(objectType, records.flatMap((record) => (record.identifiers?.ext_id === undefined ? [] : [record.identifiers.ext_id])));
    const process = state.runProcess('OBJECT_RECORDS_UPSERT', delay, () => {
      const errors: ObjectRecordError[] = [];
      records.forEach((record, index) => {
        try {
          store.apply(objectType, record);
        } catch (error) {
          if (!(error instanceof BrevoError)) throw error;
          // One record's failure leaves the others of the batch applied.
          errors.push({ index, ...(record.identifiers ? { identifiers: record.identifiers } : {}), message: error.message });
        }
      });
      return { object_records: { processed: records.length, errors } };
    });
    return reply.code(202).send({ processId: process.id, message: 'Batch object records are being processed' });
  });

  app.get('/v3/objects/:object_type/records', async (request) => {
    const { object_type: objectType } = request.params as { object_type: string };
    const query = parse(ZObjectRecordsQuery, request.query);
    // Contacts are not listed here (Brevo's note), and no custom type can be named 'contact'.
    const all = store.records(objectType);
    const ordered = query.sort === 'asc' ? all : all.reverse();
    const page = ordered.slice((query.page_num - 1) * query.limit, query.page_num * query.limit);
    return { count: all.length, records: page.map((record) => recordView(record, query.association === 'true')) };
  });
}
