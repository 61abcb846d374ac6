import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

/**
 * A unit of work: one transaction on one pooled connection that every database access of a piece
 * of work joins, Prisma's (its adapter draws on the same pool) and raw SQL alike, so that all of
 * it commits together or not at all. The Idempotency-Key plugin opens one per request that carries
 * a key, so the stored answer commits with the writes it answers.
 *
 * The work is found by AsyncLocalStorage: while a unit's work runs (`run`), the pool hands out
 * that unit's connection. Code that opens a transaction of its own inside the work (Prisma's
 * `$transaction`, the contact writer's `BEGIN`) gets a savepoint instead, so its rollback undoes
 * its own statements only, as before. A statement that fails outside such a transaction aborts the
 * whole unit, which then cannot commit (`commit` says so).
 *
 * Nothing in the work may wait for another connection of the database: on the embedded database
 * (PGlite behind a socket, one session for every connection) an open transaction holds every other
 * connection's statements until it ends, so such a wait never ends.
 */
const units = new AsyncLocalStorage<UnitOfWork>();

/** The unit of work the calling code runs in on this pool, while it is open. */
const openUnitOn = (pool: UnitOfWorkPool): UnitOfWork | undefined => {
  const unit = units.getStore();
  return unit?.pool === pool && unit.open ? unit : undefined;
};

/** True when the calling code runs inside an open unit of work on this pool. */
export const withinUnitOfWork = (pool: pg.Pool): boolean => pool instanceof UnitOfWorkPool && openUnitOn(pool) !== undefined;

/**
 * Runs fn outside any unit of work, for work it starts that must outlive the caller's unit or serve
 * other callers too (a group commit's drain): asynchronous work inherits the context it starts in.
 */
export function outsideUnitsOfWork<T>(fn: () => T): T {
  return units.getStore() === undefined ? fn() : units.exit(fn);
}

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/** pg's pool, aware of units of work: inside one, every client it hands out is that unit's connection. */
export class UnitOfWorkPool extends pg.Pool {
  /** Checks out a connection and begins the unit's transaction on it. */
  async beginUnitOfWork(): Promise<UnitOfWork> {
    // A unit inside a unit would need a second connection while the first holds its transaction.
    if (openUnitOn(this)) throw new Error('a unit of work is already open here');
    const client = await super.connect();
    try {
      await client.query('BEGIN');
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    return new UnitOfWork(this, client);
  }

  // pg-pool's own query() checks out its client through connect(), so this one override routes both.
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    const unit = openUnitOn(this);
    if (!unit) return callback ? super.connect(callback) : super.connect();
    const client = new UnitClient(unit) as unknown as pg.PoolClient;
    if (!callback) return Promise.resolve(client);
    callback(undefined, client, () => undefined);
  }
}

export class UnitOfWork {
  #open = true;
  /** Why the unit must not commit, found outside the database (a transaction misused inside it). */
  #failure: Error | null = null;
  /** Savepoints standing in for transactions opened inside the unit, innermost last. */
  readonly #savepoints: string[] = [];
  #savepointsMade = 0;

  constructor(
    readonly pool: UnitOfWorkPool,
    /** The unit's connection, checked out of the pool until the unit ends. */
    readonly client: pg.PoolClient,
  ) {}

  /** False once the unit commits or rolls back: work still running then uses the pool as usual. */
  get open(): boolean {
    return this.#open;
  }

  /** Runs fn, and everything it starts, inside the unit. */
  run<T>(fn: () => T): T {
    return units.run(this, fn);
  }

  /** Commits; rejects, having committed nothing, when a statement had failed and aborted the transaction. */
  async commit(): Promise<void> {
    if (this.#failure) {
      await this.rollback();
      throw this.#failure;
    }
    const command = await this.#end('COMMIT');
    // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK, not with an error.
    if (command !== 'COMMIT') throw new Error('a statement of this unit of work failed, so its transaction rolled back; nothing was committed');
  }

  /** Rolls back. Never rejects: a connection that broke has lost its transaction anyway. */
  async rollback(): Promise<void> {
    await this.#end('ROLLBACK').catch(() => undefined);
  }

  async #end(statement: 'COMMIT' | 'ROLLBACK'): Promise<string> {
    // Closed first, so that nothing issued from now on (work the unit started and left running)
    // joins this transaction or queues on a connection that is about to return to the pool.
    this.#open = false;
    try {
      const { command } = await this.client.query(statement);
      this.client.release();
      return command;
    } catch (error) {
      // A connection that failed here may be broken or still in the transaction: never reuse it.
      this.client.release(error as Error);
      throw error;
    }
  }

  /** Marks the unit as one that must roll back, whatever its work answers after this. */
  fail(error: Error): void {
    this.#failure ??= error;
  }

  /** Opens a transaction inside the unit: a savepoint. */
  savepoint(): string {
    const name = `unit_of_work_${++this.#savepointsMade}`;
    this.#savepoints.push(name);
    return name;
  }

  /** Ends the savepoint that stands for a transaction; it must be the innermost one still open. */
  endSavepoint(name: string): void {
    // Two transactions of one unit open at once and ended out of order (concurrent $transaction
    // calls in one request) cannot be savepoints: releasing the outer one would end the inner one too.
    if (this.#savepoints.at(-1) !== name) throw new Error('transactions inside a unit of work must end in the reverse order of their start; these overlap');
    this.#savepoints.pop();
  }
}

const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK)\s*;?\s*$/i;
/** Other ways to begin or end a transaction, which would end the unit's own. */
const OTHER_TRANSACTION_CONTROL = /^\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ABORT|ROLLBACK(?!\s+TO\b)|PREPARE\s+TRANSACTION)\b/i;

/**
 * What the pool hands out inside a unit of work: the unit's connection, under which BEGIN, COMMIT
 * and ROLLBACK become a savepoint, its release and a rollback to it, and release() leaves the
 * connection with the unit. Implements what pg-pool, Prisma's adapter and this project use of a
 * pooled client: query() in all its forms, release(), and error listeners.
 */
class UnitClient {
  /** The savepoint of the transaction this client has open, if any. */
  #savepoint: string | null = null;

  constructor(private readonly unit: UnitOfWork) {}

  query(...args: unknown[]): unknown {
    const callback = typeof args.at(-1) === 'function' ? (args.at(-1) as (error: Error) => void) : null;
    try {
      if (!this.unit.open) throw new Error('this unit of work has ended; its connection is no longer available');
      const [first] = args;
      const text = typeof first === 'string' ? first : (first as { text?: unknown } | null)?.text;
      const translated = typeof text === 'string' ? this.#translated(text) : null;
      if (translated !== null) args[0] = typeof first === 'string' ? translated : { ...(first as object), text: translated };
      return Reflect.apply(this.unit.client.query, this.unit.client, args) as unknown;
    } catch (error) {
      if (!callback) return Promise.reject(error as Error);
      process.nextTick(callback, error);
      return undefined;
    }
  }

  /**
   * The statement that stands for a transaction-control statement, or null when text is not one.
   * A misuse fails the unit as well as the statement: callers often ignore a failed ROLLBACK.
   */
  #translated(text: string): string | null {
    try {
      return this.#translate(text);
    } catch (error) {
      this.unit.fail(error as Error);
      throw error;
    }
  }

  #translate(text: string): string | null {
    const control = TRANSACTION_CONTROL.exec(text)?.[1]?.toUpperCase();
    if (control === 'BEGIN') {
      if (this.#savepoint !== null) throw new Error('BEGIN inside a transaction already open on this client');
      this.#savepoint = this.unit.savepoint();
      return `SAVEPOINT ${this.#savepoint}`;
    }
    if (control === 'COMMIT' || control === 'ROLLBACK') {
      const savepoint = this.#savepoint;
      if (savepoint === null) throw new Error(`${control} without a transaction open on this client`);
      this.unit.endSavepoint(savepoint);
      this.#savepoint = null;
      // ROLLBACK TO keeps the savepoint, which is harmless: the unit's own end discards it.
      return control === 'COMMIT' ? `RELEASE SAVEPOINT ${savepoint}` : `ROLLBACK TO SAVEPOINT ${savepoint}`;
    }
    if (OTHER_TRANSACTION_CONTROL.test(text)) throw new Error(`not supported inside a unit of work: ${text.trim().slice(0, 40)}`);
    return null;
  }

  /** The connection stays checked out by the unit until the unit ends. */
  release(): void {}

  on(event: string, listener: (...args: unknown[]) => void) {
    this.unit.client.on(event as 'error', listener);
    return this;
  }

  once(event: string, listener: (...args: unknown[]) => void) {
    this.unit.client.once(event as 'error', listener);
    return this;
  }

  removeListener(event: string, listener: (...args: unknown[]) => void) {
    this.unit.client.removeListener(event as 'error', listener);
    return this;
  }
}
