import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../api/src/db/embedded.ts';

// Always on the embedded database: this is about its socket server, whatever DATABASE_URL says.
describe('embedded PostgreSQL with many connections', () => {
  let embedded: EmbeddedPostgres;
  let pool: pg.Pool;

  beforeAll(async () => {
    embedded = await startEmbeddedPostgres();
    pool = new pg.Pool({ connectionString: embedded.url, max: 8 });
    await pool.query('CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL)');
  });

  afterAll(async () => {
    await pool?.end();
    await embedded?.stop();
  });

  it('keeps each connection’s Parse/Bind/Execute together (pglite#1046): every query gets its own answer', async () => {
    // Statements of different shapes and parameter counts from 8 connections at once, large enough
    // to arrive in several socket reads: interleaved, a Bind meets another connection's Parse and
    // fails or runs the wrong statement.
    const large = 'x'.repeat(100_000);
    const rounds = Array.from({ length: 900 }, async (_, i) => {
      if (i % 3 === 0) {
        const { rows } = await pool.query<{ n: number; s: number }>('SELECT $1::int AS n, length($2::text) AS s', [i, large]);
        expect(rows[0]).toEqual({ n: i, s: large.length });
      } else if (i % 3 === 1) {
        await pool.query('INSERT INTO items (id, label) VALUES ($1, $2)', [i, large]);
      } else {
        const { rows } = await pool.query<{ x: string }>('SELECT $1::text || $2::text || $3::text AS x', ['a', String(i), 'z']);
        expect(rows[0]!.x).toBe(`a${i}z`);
      }
    });
    await Promise.all(rounds);
    const { rows } = await pool.query<{ count: string }>('SELECT count(*) FROM items');
    expect(Number(rows[0]!.count)).toBe(300);
  });

  it('lets a transaction finish before another connection’s statements run, and survives a failed one', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO items (id, label) VALUES (100000, $1)', ['in tx']);
      const outside = pool.query<{ count: string }>('SELECT count(*) FROM items WHERE id = 100000');
      await client.query('ROLLBACK');
      expect(Number((await outside).rows[0]!.count)).toBe(0);
    } finally {
      client.release();
    }
    await expect(pool.query('SELECT $1::int / 0 AS boom', [1])).rejects.toThrow(/division by zero/);
    expect((await pool.query<{ ok: number }>('SELECT $1::int AS ok', [1])).rows[0]).toEqual({ ok: 1 });
  });
});
