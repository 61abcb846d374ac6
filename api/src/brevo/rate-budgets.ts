import type pg from 'pg';
import { inTransaction } from '../db/transaction.ts';
import type { BudgetState, BudgetStore, EndpointFamily, FamilyLimit } from './rate-limit.ts';

interface BudgetRow {
  configured_limit: number;
  capacity: number;
  window_ms: number;
  spent: string[] | null;
  blocked_until: string;
}

/**
 * Brevo counts requests per account, whichever process sends them: every API and worker process
 * of a deployment keeps each account's budgets in one row per family of brevo_rate_budgets, read
 * and written under the row's lock (PostgreSQL is there in every deployment, the embedded
 * database included). Inside a unit of work the update joins its transaction: on the embedded
 * database a second connection would wait for the unit to end.
 */
export class PgBudgetStore implements BudgetStore {
  constructor(private readonly pool: pg.Pool) {}

  async update<T>(accountKey: string, family: EndpointFamily, limit: FamilyLimit, change: (budget: BudgetState) => { changed: boolean; result: T }): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      const windowMs = limit.windowSeconds * 1000;
      const select = () =>
        client.query<BudgetRow>(
          'SELECT configured_limit, capacity, window_ms, spent::text[] AS spent, blocked_until::text FROM brevo_rate_budgets WHERE account_key = $1 AND family = $2 FOR UPDATE',
          [accountKey, family],
        );
      let [row] = (await select()).rows;
      if (!row) {
        await client.query(
          `INSERT INTO brevo_rate_budgets (account_key, family, configured_limit, capacity, window_ms, spent)
           VALUES ($1, $2, $3, $3, $4, '{}') ON CONFLICT (account_key, family) DO NOTHING`,
          [accountKey, family, limit.limit, windowMs],
        );
        [row] = (await select()).rows;
      }
      if (!row) throw new Error(`the rate budget of ${family} could not be created`);
      // A connection configured anew (other limits) starts from its configuration.
      const reconfigured = row.configured_limit !== limit.limit || row.window_ms !== windowMs;
      const budget: BudgetState = reconfigured
        ? { capacity: limit.limit, windowMs, spent: [], blockedUntil: 0 }
        : { capacity: row.capacity, windowMs, spent: (row.spent ?? []).map(Number), blockedUntil: Number(row.blocked_until) };
      const { changed, result } = change(budget);
      if (changed || reconfigured) {
        await client.query(
          `UPDATE brevo_rate_budgets SET configured_limit = $3, capacity = $4, window_ms = $5, spent = $6::bigint[], blocked_until = $7, updated_at = now()
           WHERE account_key = $1 AND family = $2`,
          [accountKey, family, limit.limit, budget.capacity, windowMs, budget.spent.map((at) => String(Math.round(at))), String(Math.round(budget.blockedUntil))],
        );
      }
      return result;
    });
  }
}
