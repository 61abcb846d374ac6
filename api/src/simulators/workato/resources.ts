import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WORKATO_LIMITS } from '../../workato/client.ts';
import { MonotonicClock, notFound, parse, WorkatoSimulatorError } from './errors.ts';

/** Jobs per page: Workato takes no page size for jobs and pages them by offset_job_id. */
export const JOBS_PAGE_SIZE = 100;

export interface SimulatedRow {
  id: string;
  data: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export type TableKind = 'lookup_table' | 'data_table';

const ZPage = (limits: { default: number; max: number }) =>
  z.object({
    page: z.coerce.number().int().min(1).default(1),
    // Workato caps an oversized page rather than refusing it.
    per_page: z.coerce.number().int().min(1).default(limits.default).transform((value) => Math.min(value, limits.max)),
  });
const ZLookupPage = ZPage(WORKATO_LIMITS.lookupTableRows);
const ZRecipePage = ZPage(WORKATO_LIMITS.recipes);
/** Workato's lookup tables have at most 10 columns. */
const ZNewLookupRow = z.object({ data: z.record(z.string(), z.unknown()).refine((data) => Object.keys(data).length <= 10, 'a lookup table row has at most 10 columns') });
const ZJobsQuery = z.object({ offset_job_id: z.string().min(1).optional() });
const ZQuery = z.object({
  select: z.array(z.string()).optional(),
  where: z.record(z.string(), z.unknown()).optional(),
  limit: z.number().int().min(1).max(WORKATO_LIMITS.dataTableRecords.max).default(WORKATO_LIMITS.dataTableRecords.default),
  continuation_token: z.string().min(1).optional(),
});

/** The Developer API resources Tajo reads: lookup tables, data tables, recipes and their jobs. */
export class ResourceStore {
  readonly lookupTables = new Map<string, Map<string, SimulatedRow>>();
  readonly dataTables = new Map<string, Map<string, SimulatedRow>>();
  readonly recipes = new Map<string, Record<string, unknown>>();
  /** Per recipe, newest first, as Workato lists them. */
  readonly jobs = new Map<string, Record<string, unknown>[]>();
  readonly #clock = new MonotonicClock();
  #nextLookupRowId = 1;
  #nextRecipeId = 1;

  #tables(kind: TableKind) {
    return kind === 'lookup_table' ? this.lookupTables : this.dataTables;
  }

  #newRow(kind: TableKind, id: string | undefined, data: Record<string, unknown>): SimulatedRow {
    const now = this.#clock.iso();
    // Lookup table rows have integer IDs, data table records UUIDs.
    const rowId = id ?? (kind === 'lookup_table' ? String(this.#nextLookupRowId++) : randomUUID());
    return { id: rowId, data: structuredClone(data), createdAt: now, updatedAt: now };
  }

  setTable(kind: TableKind, tableId: string, rows: Record<string, unknown>[]): SimulatedRow[] {
    const table = new Map(rows.map((data) => this.#newRow(kind, undefined, data)).map((row) => [row.id, row]));
    this.#tables(kind).set(tableId, table);
    return [...table.values()];
  }

  /** Changes a row's fields (moving its updated_at) or adds it; the table is created if need be. */
  upsertRow(kind: TableKind, tableId: string, row: { id?: string; data: Record<string, unknown> }): SimulatedRow {
    let table = this.#tables(kind).get(tableId);
    if (!table) this.#tables(kind).set(tableId, (table = new Map()));
    const existing = row.id === undefined ? undefined : table.get(row.id);
    if (existing) {
      Object.assign(existing.data, structuredClone(row.data));
      existing.updatedAt = this.#clock.iso();
      return existing;
    }
    const created = this.#newRow(kind, row.id, row.data);
    table.set(created.id, created);
    return created;
  }

  /** A lookup or data table by ID, lookup tables first (for the MCP tools, which take either). */
  table(tableId: string): Map<string, SimulatedRow> | undefined {
    return this.lookupTables.get(tableId) ?? this.dataTables.get(tableId);
  }

  setRecipes(recipes: Record<string, unknown>[]) {
    this.recipes.clear();
    for (const recipe of recipes) {
      const now = this.#clock.iso();
      const id = recipe.id ?? this.#nextRecipeId++;
      this.recipes.set(String(id), { created_at: now, updated_at: now, ...structuredClone(recipe), id });
    }
  }

  setJobs(recipeId: string, jobs: Record<string, unknown>[]) {
    this.jobs.set(
      recipeId,
      jobs.map((job, index) => {
        const now = this.#clock.iso();
        return { started_at: now, completed_at: now, status: 'succeeded', ...structuredClone(job), id: job.id ?? `j-${recipeId}-${index + 1}` };
      }),
    );
  }
}

const lookupWire = (row: SimulatedRow) => ({ id: Number(row.id), data: row.data, created_at: row.createdAt, updated_at: row.updatedAt });
const recordWire = (row: SimulatedRow) => ({ $record_id: row.id, $created_at: row.createdAt, $updated_at: row.updatedAt, ...row.data });

/** The value a query condition tests: Workato's own record columns, or a field of the record. */
function fieldOf(row: SimulatedRow, field: string): unknown {
  if (field === '$record_id') return row.id;
  if (field === '$created_at') return row.createdAt;
  if (field === '$updated_at') return row.updatedAt;
  return row.data[field];
}

/** The simulator supports equality only (`{field: value}` or `{field: {$eq: value}}`), joined by AND. */
function matcher(where: Record<string, unknown> | undefined): (row: SimulatedRow) => boolean {
  const conditions = Object.entries(where ?? {}).map(([field, condition]) => {
    if (condition !== null && typeof condition === 'object') {
      const entries = Object.entries(condition);
      if (entries.length !== 1 || entries[0]![0] !== '$eq') throw new WorkatoSimulatorError(400, `where.${field}: the simulator supports only $eq`);
      return { field, value: entries[0]![1] };
    }
    return { field, value: condition };
  });
  return (row) => conditions.every(({ field, value }) => fieldOf(row, field) === value);
}

const encodeToken = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString('base64url');
function decodeToken(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString()) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // answered below
  }
  throw new WorkatoSimulatorError(400, 'continuation_token is invalid');
}

function page<T>(items: T[], query: { page: number; per_page: number }): T[] {
  const start = (query.page - 1) * query.per_page;
  return items.slice(start, start + query.per_page);
}

export function registerResourceRoutes(app: FastifyInstance, store: ResourceStore) {
  app.get('/api/users/me', async () => ({
    id: 1,
    name: 'Workato Simulator',
    email: 'simulator@workato.invalid',
    created_at: '2024-01-01T00:00:00.000Z',
  }));

  const lookupTable = (id: string) => {
    const table = store.lookupTables.get(id);
    if (!table) throw notFound(`Lookup table ${id}`);
    return table;
  };

  app.get('/api/lookup_tables/:lookup_table_id/rows', async (request) => {
    const { lookup_table_id: id } = request.params as { lookup_table_id: string };
    const query = parse(ZLookupPage, request.query);
    return page([...lookupTable(id).values()], query).map(lookupWire);
  });

  app.get('/api/lookup_tables/:lookup_table_id/rows/:row_id', async (request) => {
    const { lookup_table_id: id, row_id: rowId } = request.params as { lookup_table_id: string; row_id: string };
    const row = lookupTable(id).get(rowId);
    if (!row) throw notFound(`Row ${rowId}`);
    return lookupWire(row);
  });

  app.post('/api/lookup_tables/:lookup_table_id/rows', async (request) => {
    const { lookup_table_id: id } = request.params as { lookup_table_id: string };
    const { data } = parse(ZNewLookupRow, request.body);
    lookupTable(id);
    return lookupWire(store.upsertRow('lookup_table', id, { data }));
  });

  app.get('/api/recipes', async (request) => ({ items: page([...store.recipes.values()], parse(ZRecipePage, request.query)) }));

  app.get('/api/recipes/:recipe_id', async (request) => {
    const { recipe_id: id } = request.params as { recipe_id: string };
    const recipe = store.recipes.get(id);
    if (!recipe) throw notFound(`Recipe ${id}`);
    return recipe;
  });

  const jobsOf = (recipeId: string) => {
    const jobs = store.jobs.get(recipeId);
    if (!jobs && !store.recipes.has(recipeId)) throw notFound(`Recipe ${recipeId}`);
    return jobs ?? [];
  };

  app.get('/api/recipes/:recipe_id/jobs', async (request) => {
    const { recipe_id: recipeId } = request.params as { recipe_id: string };
    const { offset_job_id: offset } = parse(ZJobsQuery, request.query);
    const jobs = jobsOf(recipeId);
    let start = 0;
    if (offset !== undefined) {
      const position = jobs.findIndex((job) => String(job.id) === offset);
      if (position < 0) throw new WorkatoSimulatorError(400, `offset_job_id ${offset} is not a job of recipe ${recipeId}`);
      start = position + 1;
    }
    const items = jobs.slice(start, start + JOBS_PAGE_SIZE);
    return {
      job_succeeded_count: jobs.filter((job) => job.status === 'succeeded').length,
      job_failed_count: jobs.filter((job) => job.status === 'failed').length,
      job_count: items.length,
      items,
    };
  });

  app.get('/api/recipes/:recipe_id/jobs/:job_handle', async (request) => {
    const { recipe_id: recipeId, job_handle: handle } = request.params as { recipe_id: string; job_handle: string };
    const job = jobsOf(recipeId).find((candidate) => String(candidate.id) === handle);
    if (!job) throw notFound(`Job ${handle}`);
    return job;
  });

  app.post('/api/v1/tables/:data_table_id/query', async (request) => {
    const { data_table_id: id } = request.params as { data_table_id: string };
    const query = parse(ZQuery, request.body);
    const table = store.dataTables.get(id);
    if (!table) throw notFound(`Data table ${id}`);
    const matches = [...table.values()].filter(matcher(query.where));
    const offset = query.continuation_token === undefined ? 0 : decodeToken(query.continuation_token);
    const records = matches.slice(offset, offset + query.limit).map(recordWire);
    const next = offset + query.limit;
    return {
      data: query.select ? records.map((record) => Object.fromEntries(Object.entries(record).filter(([key]) => key === '$record_id' || query.select!.includes(key)))) : records,
      continuation_token: next < matches.length ? encodeToken(next) : null,
    };
  });
}
