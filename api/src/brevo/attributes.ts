import type { AttributeValue } from '../contacts/normalize.ts';
import { BrevoRequestFailed, type BrevoApi } from './client.ts';

export type BrevoAttributeType = 'text' | 'float' | 'boolean';
export type BrevoAttributeValue = string | number | boolean;

/** Attributes Tajo fills from its own contact fields; custom attributes never shadow them. */
export const RESERVED_ATTRIBUTES = new Set(['FIRSTNAME', 'LASTNAME', 'SMS', 'EXT_ID', 'EMAIL']);

const typeOf = (value: BrevoAttributeValue): BrevoAttributeType => (typeof value === 'number' ? 'float' : typeof value === 'boolean' ? 'boolean' : 'text');

/**
 * A contact's custom attributes as Brevo names them: upper case (Brevo's attribute names are), and
 * without nulls (an absent value leaves Brevo's as it is rather than erasing it).
 */
export function brevoCustomAttributes(custom: Record<string, AttributeValue>): Record<string, BrevoAttributeValue> {
  const attributes: Record<string, BrevoAttributeValue> = {};
  for (const [name, value] of Object.entries(custom)) {
    const upper = name.toUpperCase();
    if (value !== null && !RESERVED_ATTRIBUTES.has(upper)) attributes[upper] = value;
  }
  return attributes;
}

/**
 * The contact attributes an account has, read once and kept; missing ones are created with the
 * type of the first value seen, before the first contact that uses them is sent. Attribute calls
 * are on Brevo's slow family (100 requests an hour on the general tier): concurrent jobs share one
 * read and one creation per attribute, so a backfill makes each call once.
 */
export class AttributeCatalog {
  #known: Promise<Map<string, string>> | null = null;
  readonly #creating = new Map<string, Promise<void>>();

  constructor(private readonly api: BrevoApi) {}

  async ensure(attributes: Record<string, BrevoAttributeValue>): Promise<void> {
    // Nothing to check: no request on the slow family (it may be spent for the hour).
    if (Object.keys(attributes).length === 0) return;
    const known = await this.#load();
    const missing = Object.keys(attributes).filter((name) => !known.has(name));
    await Promise.all(missing.map((name) => this.#create(known, name, typeOf(attributes[name]!))));
  }

  #load(): Promise<Map<string, string>> {
    this.#known ??= this.api.listAttributes().then(
      (list) => new Map(list.map((attribute) => [attribute.name.toUpperCase(), attribute.type ?? 'text'])),
      (error: unknown) => {
        this.#known = null;
        throw error;
      },
    );
    return this.#known;
  }

  #create(known: Map<string, string>, name: string, type: BrevoAttributeType): Promise<void> {
    const inFlight = this.#creating.get(name);
    if (inFlight) return inFlight;
    const creation = this.api
      .createAttribute(name, type)
      .catch((error: unknown) => {
        // Another process created it first: what matters is that it exists.
        if (error instanceof BrevoRequestFailed && error.details.code === 'duplicate_parameter') return;
        throw error;
      })
      .then(() => void known.set(name, type))
      .finally(() => this.#creating.delete(name));
    this.#creating.set(name, creation);
    return creation;
  }
}
