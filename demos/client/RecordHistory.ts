// RecordHistory: a fixed-size ring of the most recent FrameRecords the client received, kept for
// the "export trace" button: the host's records as they came (the page adds nothing of its own).

import type { FrameRecord } from "../../engine-bridge/FrameRecord.ts";

/** Keeps the last `capacity` records; older ones are overwritten. */
export class RecordHistory {
  private readonly ring: (FrameRecord | undefined)[];
  private count = 0;

  /** Creates an empty history of `capacity` records. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
    this.ring = new Array<FrameRecord | undefined>(capacity).fill(undefined);
  }

  /** Adds a record, dropping the oldest when full. */
  push(record: FrameRecord): void {
    this.ring[this.count++ % this.capacity] = record;
  }

  /** Forgets every record (a new run of the host). */
  clear(): void {
    this.count = 0;
    this.ring.fill(undefined);
  }

  /** The kept records, oldest first. */
  records(): FrameRecord[] {
    const out: FrameRecord[] = [];
    for (let i = Math.max(0, this.count - this.capacity); i < this.count; i++) {
      const record = this.ring[i % this.capacity];
      if (record !== undefined) out.push(record);
    }
    return out;
  }
}
