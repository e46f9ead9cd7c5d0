/**
 * {@link BrowserEventLog}: the bounded replay log of one BroadcastChannel, in the origin's
 * IndexedDB, that a tab back from sleep reads what it missed from.
 * @module
 */
import { type BrowserDatabase, OBJECT_STORES, request } from "./browser-database.ts";

/** One published event in the log. */
export interface LogRow {
  /** Its place in the channel's log: 1, 2, 3, … without gaps. */
  seq: number;
  /** The bus that published it (a bus skips its own). */
  writer: string;
  /** The topic it was published to. */
  topic: string;
  /** The publish body, `{ ...event.toDict(), topic }` as JSON. */
  body: string;
}

/** Where a channel's log stands: its last seq, and how far it was trimmed (0: never). */
export interface LogPosition {
  last: number;
  trimmed: number;
}

const { events: EVENTS, meta: META } = OBJECT_STORES;

const rowsOf = (channel: string, from: number): IDBKeyRange =>
  IDBKeyRange.bound([channel, from], [channel, Number.POSITIVE_INFINITY]);

/**
 * The log of `channel` in the `events` store, keyed `[channel, seq]`, its position in `meta`. An
 * append is one readwrite transaction that takes the next seq, so the seqs of all tabs are one
 * gapless sequence, given in commit order; the log keeps the newest `window` rows.
 * @example
 * const log = new BrowserEventLog(db, "botknobs", 1000);
 * const seq = await log.append(writer, "registry:bots", body);
 */
export class BrowserEventLog {
  readonly #db: BrowserDatabase;
  readonly #channel: string;
  readonly #window: number;
  readonly #key: string;

  constructor(db: BrowserDatabase, channel: string, window: number) {
    this.#db = db;
    this.#channel = channel;
    this.#window = window;
    this.#key = `events:${channel}`;
  }

  /** Appends a row and returns its seq; trims the log past its window in the same transaction. */
  append(writer: string, topic: string, body: string): Promise<number> {
    return this.#db.run([EVENTS, META], "readwrite", async (tx) => {
      const meta = tx.objectStore(META);
      const at = ((await request(meta.get(this.#key))) as LogPosition | undefined) ?? {
        last: 0,
        trimmed: 0,
      };
      const seq = at.last + 1;
      const events = tx.objectStore(EVENTS);
      events.put({ seq, writer, topic, body } satisfies LogRow, [this.#channel, seq]);
      let trimmed = at.trimmed;
      // Trimmed in steps of a tenth of the window (at most 100 rows): one range delete each.
      if (seq - this.#window - trimmed >= Math.min(100, Math.ceil(this.#window / 10))) {
        trimmed = seq - this.#window;
        events.delete(IDBKeyRange.bound([this.#channel, 0], [this.#channel, trimmed]));
      }
      meta.put({ last: seq, trimmed } satisfies LogPosition, this.#key);
      return seq;
    });
  }

  /** Where the log stands now. */
  position(): Promise<LogPosition> {
    return this.#db.run([META], "readonly", async (tx) => this.#position(tx));
  }

  async #position(tx: IDBTransaction): Promise<LogPosition> {
    const at = (await request(tx.objectStore(META).get(this.#key))) as LogPosition | undefined;
    return at ?? { last: 0, trimmed: 0 };
  }

  /** Up to `limit` rows after `seq`, in order, and the position they were read at (one snapshot). */
  after(seq: number, limit: number): Promise<{ rows: LogRow[]; position: LogPosition }> {
    return this.#db.run([EVENTS, META], "readonly", async (tx) => {
      const position = await this.#position(tx);
      const rows = (await request(
        tx.objectStore(EVENTS).getAll(rowsOf(this.#channel, seq + 1), limit),
      )) as LogRow[];
      return { rows, position };
    });
  }
}
