import type pg from 'pg';

/**
 * Runs fn in a transaction on one connection of the pool: committed when fn resolves, rolled back
 * when it throws. Inside a unit of work the pool hands out the unit's connection, where BEGIN and
 * COMMIT become a savepoint and its release.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
