/** The HTTP client of the tajo CLI: JSON over fetch, problem+json answers turned into ApiError. */
import { randomUUID } from 'node:crypto';
import type { components } from '../../openapi/types.ts';
import { ApiError } from './errors.ts';

export type Schemas = components['schemas'];
export type SyncJob = Schemas['SyncJob'];
export type DeadLetter = Schemas['DeadLetter'];
export type Source = Schemas['Source'];
export type SourceUpdate = Schemas['SourceUpdate'];
export type SourceDeletion = Schemas['SourceDeletion'];
export type ApiKey = Schemas['ApiKey'];
export type CreatedApiKey = Schemas['CreatedApiKey'];
export type StartPoint = Schemas['SyncStartPoint'];

type Query = Record<string, string | number | undefined>;

export class TajoClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, undefined, query);
  }

  /** Writes carry an Idempotency-Key, so the API can tell a retried request from a new one. */
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** Every item of a cursor-paged collection, page after page. */
  async *pages<T>(path: string, query: Query = {}): AsyncGenerator<T> {
    let cursor: string | undefined;
    do {
      const page = await this.get<{ data: T[]; nextCursor: string | null }>(path, { ...query, cursor });
      yield* page.data;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  async all<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this.pages<T>(path, query)) items.push(item);
    return items;
  }

  private async request<T>(method: string, path: string, body?: unknown, query: Query = {}): Promise<T> {
    const url = new URL(`v1${path}`, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { 'x-api-key': this.apiKey, accept: 'application/json, application/problem+json' };
    if (method !== 'GET') headers['idempotency-key'] = randomUUID();
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new ApiError(`cannot reach Tajo at ${this.baseUrl}: ${cause}`, null);
    }
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    let problem: ApiError['problem'] = null;
    try {
      problem = JSON.parse(text) as ApiError['problem'];
    } catch {
      // Not JSON: a proxy's page, say. The status line is all there is.
    }
    const detail = problem?.detail ?? (text.trim().slice(0, 200) || response.statusText);
    throw new ApiError(detail, response.status, problem);
  }
}
