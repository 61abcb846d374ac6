import { AsyncLocalStorage } from 'node:async_hooks';
import jsonata from 'jsonata';
import { z } from 'zod';
import type { TypedRecord } from '../objects/service.ts';

/**
 * A source's mapping: JSONata expressions (https://jsonata.org) evaluated on each record's payload,
 * deciding what becomes a contact (its fields and its Brevo attributes), which custom events and
 * custom object records it produces, and what stays in Tajo only. JSONata rather than a home-made
 * path language: it is documented, tested, and recipe builders already know its cousin, Workato's
 * formula mode.
 *
 * Each expression sees the payload as its input and these variables: `$objectId` (Workato's ID of
 * the record: message ID or row ID), `$time` (when Workato says it was published or last updated)
 * and `$source` (the source's name).
 */

const MAX_EXPRESSION_LENGTH = 4_000;
/** A runaway expression (deep recursion, a huge loop) is stopped instead of stalling a sync job or exhausting memory. */
const EVALUATION_TIMEOUT_MS = 1_000;
const MAX_EVALUATION_DEPTH = 500;

const ZExpression = z
  .string()
  .min(1)
  .max(MAX_EXPRESSION_LENGTH)
  .superRefine((text, ctx) => {
    const problem = compileError(text);
    if (problem) ctx.addIssue({ code: 'custom', message: `not a valid JSONata expression: ${problem}` });
  });

export const ZSourceMapping = z
  .object({
    externalId: ZExpression.meta({
      description: "The record's stable ID at the source; Tajo scopes it with the source's name to make the contact's external ID.",
      example: '$string(id)',
    }),
    contact: ZExpression.optional().meta({
      description:
        'An object in the ContactRecord shape (email, phone, firstName, consent…; `attributes` are the Brevo attributes). Absent, or evaluating to nothing, for records that carry no contact.',
      example: '{"email": email, "phone": phone, "firstName": first_name, "attributes": {"PLAN": plan}}',
    }),
    events: ZExpression.optional().meta({
      description: 'An EventRecordInput object or an array of them: the custom events the record produces (none when it evaluates to nothing).',
      example: 'orders.{"name": "order_completed", "eventId": order_id, "occurredAt": completed_at, "contact": {"email": $$.email}}',
    }),
    objects: ZExpression.optional().meta({
      description:
        "An object or an array of objects {type, externalId?, attributes, associations?}: the custom object records the record makes, each of an object type of the workspace (`associations` as the object records API takes them; a contact's external ID is Tajo's, `<source>:<id>`).",
      example: '{"type": "vehicle", "externalId": vin, "attributes": {"model": model, "year": year}, "associations": [{"objectType": "contact", "externalId": $source & ":" & owner_id}]}',
    }),
    tajoOnly: ZExpression.optional().meta({
      description: 'An object kept with the record in Tajo and never sent to Brevo.',
      example: '{"internalScore": score}',
    }),
  })
  .strict()
  .meta({ id: 'SourceMapping', description: 'JSONata expressions evaluated on each payload.' });

export type SourceMapping = z.infer<typeof ZSourceMapping>;

/** The mapping a source gets when it names none: the payload's own contact fields, by name. */
export const DEFAULT_MAPPING: SourceMapping = {
  externalId: 'id ? $string(id) : $objectId',
  contact:
    '{"email": email, "phone": phone, "firstName": first_name ? first_name : firstName, "lastName": last_name ? last_name : lastName, "locale": locale, "consent": consent, "attributes": attributes}',
};

function compileError(text: string): string | null {
  try {
    jsonata(text);
    return null;
  } catch (error) {
    return describe(error);
  }
}

const describe = (error: unknown) => {
  const { message, position } = error as { message?: string; position?: number };
  return `${message ?? String(error)}${position !== undefined ? ` (at character ${position})` : ''}`;
};

export interface RecordContext {
  objectId: string;
  time?: string | undefined;
  source: string;
}

/** What a mapping made of one payload. */
export interface MappedRecord {
  /** The source-scoped ID, or null when the expression gave none. */
  sourceId: string | null;
  /** Input for contact normalization, or null when the record carries no contact. */
  contact: Record<string, unknown> | null;
  events: Record<string, unknown>[];
  /** Object records for the objects service: the type, and the record as its API takes it. */
  objects: TypedRecord[];
  tajoOnly: Record<string, unknown> | null;
}

export type MappingResult = { ok: true; record: MappedRecord } | { ok: false; field: keyof SourceMapping; reason: string };

type Compiled = Record<keyof SourceMapping, jsonata.Expression | undefined>;

/** A mapping compiled once, evaluated for every record of a page. */
export class CompiledMapping {
  readonly #expressions: Compiled;

  constructor(readonly mapping: SourceMapping) {
    const compile = (text: string | undefined) => (text === undefined ? undefined : timeBoxed(jsonata(text)));
    this.#expressions = {
      externalId: compile(mapping.externalId),
      contact: compile(mapping.contact),
      events: compile(mapping.events),
      objects: compile(mapping.objects),
      tajoOnly: compile(mapping.tajoOnly),
    };
  }

  async apply(payload: unknown, context: RecordContext): Promise<MappingResult> {
    const bindings = { objectId: context.objectId, time: context.time, source: context.source };
    const values: Partial<Record<keyof SourceMapping, unknown>> = {};
    for (const field of ['externalId', 'contact', 'events', 'objects', 'tajoOnly'] as const) {
      const expression = this.#expressions[field];
      if (!expression) continue;
      try {
        values[field] = toPlain(await evaluate(expression, payload, bindings));
      } catch (error) {
        return { ok: false, field, reason: `the ${field} expression failed: ${describe(error)}` };
      }
    }
    const { externalId, contact, events, objects, tajoOnly } = values;
    if (externalId !== undefined && externalId !== null && typeof externalId !== 'string' && typeof externalId !== 'number') {
      return { ok: false, field: 'externalId', reason: `the externalId expression gave ${kindOf(externalId)}, not a string or number` };
    }
    if (contact !== undefined && contact !== null && !isObject(contact)) {
      return { ok: false, field: 'contact', reason: `the contact expression gave ${kindOf(contact)}, not an object` };
    }
    const eventList = listOf(events);
    if (!eventList.every(isObject)) return { ok: false, field: 'events', reason: 'the events expression gave something other than objects' };
    const objectList = listOf(objects);
    if (!objectList.every((object) => isObject(object) && typeof object.type === 'string' && object.type !== '')) {
      return { ok: false, field: 'objects', reason: 'the objects expression gave something other than objects with a type' };
    }
    if (tajoOnly !== undefined && tajoOnly !== null && !isObject(tajoOnly)) {
      return { ok: false, field: 'tajoOnly', reason: `the tajoOnly expression gave ${kindOf(tajoOnly)}, not an object` };
    }
    return {
      ok: true,
      record: {
        sourceId: externalId === undefined || externalId === null || externalId === '' ? null : String(externalId),
        contact: isObject(contact) ? dropUndefined(contact) : null,
        events: eventList as Record<string, unknown>[],
        objects: (objectList as Record<string, unknown>[]).map(({ type, ...record }) => ({ type: type as string, record })),
        tajoOnly: isObject(tajoOnly) ? tajoOnly : null,
      },
    };
  }
}

/** The budget of the evaluation in progress; it follows the evaluation across its awaits, so concurrent ones keep their own. */
const budgets = new AsyncLocalStorage<{ deadline: number; depth: number }>();

/**
 * JSONata calls these hooks around every step of an evaluation (its documented way to time-box
 * one): a step past the deadline or nested too deep ends the evaluation with an error.
 */
function timeBoxed(expression: jsonata.Expression): jsonata.Expression {
  const assign = expression.assign.bind(expression) as unknown as (name: symbol, value: unknown) => void;
  assign(Symbol.for('jsonata.__evaluate_entry'), () => {
    const budget = budgets.getStore();
    if (!budget) return;
    budget.depth += 1;
    if (budget.depth > MAX_EVALUATION_DEPTH) throw new Error(`nested deeper than ${MAX_EVALUATION_DEPTH} steps (runaway recursion?)`);
    if (Date.now() > budget.deadline) throw new Error(`took longer than ${EVALUATION_TIMEOUT_MS} ms`);
  });
  assign(Symbol.for('jsonata.__evaluate_exit'), () => {
    const budget = budgets.getStore();
    if (budget) budget.depth -= 1;
  });
  return expression;
}

function evaluate(expression: jsonata.Expression, input: unknown, bindings: Record<string, unknown>) {
  return budgets.run({ deadline: Date.now() + EVALUATION_TIMEOUT_MS, depth: 0 }, () => expression.evaluate(input, bindings));
}

/** JSONata sequences are arrays with extra flags; a JSON round trip makes plain values of them. */
const toPlain = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** One value is a list of one; nothing is an empty list. */
const listOf = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const kindOf = (value: unknown) => (Array.isArray(value) ? 'an array' : `a ${typeof value}`);

/** Fields whose expression matched nothing are left out, as if the payload never had them. */
const dropUndefined = (value: Record<string, unknown>) => Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined && field !== null));
