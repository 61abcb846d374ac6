import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { PGlite } from '@electric-sql/pglite';

/**
 * pglite-socket serves every client connection from PGlite's one session and interleaves their
 * protocol messages one by one, keeping a connection's turn only inside a SQL transaction. An
 * extended-protocol exchange (Parse, Bind, Describe, Execute, Sync) is not a transaction, so a
 * second connection's Parse can replace the unnamed statement between the first one's Parse and
 * Bind: a bind error, or the wrong statement run with the first one's parameters
 * (electric-sql/pglite#1046, unfixed in 0.2.17). Prisma, pg and pg-boss all speak that protocol
 * from pools of connections, so the embedded database needs the fix below.
 *
 * It replaces the queue's scheduler with one that keeps a connection's turn from its first message
 * until the server is ready for the next query (after Sync or a simple Query, outside a
 * transaction), and that keeps going after a failed message instead of stalling the queue.
 */

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(size: number): void;
  reject(error: Error): void;
  onData(data: Uint8Array): void;
}

/** The fields of pglite-socket's internal queue this relies on; checked at start-up. */
interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  db: PGlite;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
const PROTOCOL_3 = 196608;

/** True when the server answers this message with ReadyForQuery (the exchange is over). */
function endsExchange(message: Uint8Array): boolean {
  const type = message[0];
  if (type === SYNC || type === QUERY || type === TERMINATE) return true;
  // The untyped startup packet: length, then the protocol version.
  return message.length >= 8 && new DataView(message.buffer, message.byteOffset, message.byteLength).getInt32(4) === PROTOCOL_3;
}

export function keepConversationsWhole(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue?: QueryQueue }).queryQueue;
  if (!queue || !Array.isArray(queue.queue) || typeof queue.processQueue !== 'function' || typeof queue.clearQueueForHandler !== 'function') {
    throw new Error('@electric-sql/pglite-socket changed its internals: review api/src/db/pglite-conversations.ts before upgrading it');
  }
  /** The connection in the middle of an exchange, whose messages alone may run. */
  let owner: number | null = null;

  queue.processQueue = async function processQueue(this: QueryQueue) {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const pinned = owner ?? (this.db.isInTransaction() ? this.lastHandlerId : null);
        const index = pinned === null ? 0 : this.queue.findIndex((queued) => queued.handlerId === pinned);
        // The exchange's next message has not arrived yet; its arrival restarts the queue.
        if (index === -1) break;
        const [next] = this.queue.splice(index, 1) as [QueuedMessage];
        let size = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(next.message, {
              onRawData: (data: Uint8Array) => {
                size += data.length;
                next.onData(data);
              },
            }),
          );
        } catch (error) {
          owner = null;
          next.reject(error as Error);
          continue;
        }
        this.lastHandlerId = next.handlerId;
        owner = endsExchange(next.message) ? null : next.handlerId;
        next.resolve(size);
      }
    } finally {
      this.processing = false;
    }
  };

  const clearQueueForHandler = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    clearQueueForHandler(handlerId);
    // A connection that left mid-exchange must not hold the others up.
    if (owner === handlerId) {
      owner = null;
      void queue.processQueue();
    }
  };
}
