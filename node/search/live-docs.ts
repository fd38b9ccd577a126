import type { Segment } from "./segment.ts";
import type { WorkerRow } from "./worker-protocol.ts";

/** Where an item's current version sits: a document of a segment. */
export interface Pointer {
  readonly seg: Segment;
  readonly doc: number;
}

/** Changes taken for one delta build, in the order of its documents. */
export type DeltaBatch = readonly { readonly row: WorkerRow; readonly gen: number }[];

/**
 * Which document of which segment is each item's current version, and the changes not yet
 * built. Each change gets a generation: a build's result only applies to an item whose
 * latest change it contains, so a slow build never brings back an older version. Knows
 * nothing of workers, timers or the database: the live index schedules, this keeps count.
 */
export class LiveDocs {
  private readonly current = new Map<string, Pointer>();
  /** Generation of the last change seen per item. */
  private readonly lastGen = new Map<string, number>();
  private gen = 0;
  private readonly pending = new Map<string, { row: WorkerRow; gen: number }>();
  private segs: Segment[] = [];

  /** Every segment holding a current document (base pieces first). */
  get segments(): readonly Segment[] {
    return this.segs;
  }

  /** The generation of the latest change: a base read after it is at least as new as every change up to it. */
  get generation(): number {
    return this.gen;
  }

  /** Changes waiting for a delta build. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Items searchable now. */
  get size(): number {
    return this.current.size;
  }

  /** Whether document `doc` of `seg` is its item's current version. */
  isCurrent(seg: Segment, doc: number): boolean {
    return seg.current[doc] === 1;
  }

  /** Where every searchable item's current version sits. */
  live(): IterableIterator<Pointer> {
    return this.current.values();
  }

  /** Ids of the items searchable now. */
  ids(): IterableIterator<string> {
    return this.current.keys();
  }

  /** A new version of an item, to index in the next delta build. */
  noteStored(row: WorkerRow): void {
    const g = ++this.gen;
    this.lastGen.set(row.id, g);
    this.pending.set(row.id, { row, gen: g });
  }

  /** An item leaves the index now (deleted, or no longer verified). */
  noteRemoved(id: string): void {
    this.lastGen.set(id, ++this.gen);
    this.pending.delete(id);
    this.point(id, undefined);
    this.prune();
  }

  /** Takes every pending change for a delta build. */
  takePending(): DeltaBatch {
    const batch = [...this.pending.values()];
    this.pending.clear();
    return batch;
  }

  /** Points each item of `batch` still at that change to its document of `seg` (built from the batch, in order). */
  addDelta(seg: Segment, batch: DeltaBatch): void {
    batch.forEach((b, doc) => {
      if (this.lastGen.get(b.row.id) === b.gen) this.point(b.row.id, { seg, doc });
    });
    if (seg.live > 0) this.segs.push(seg);
    this.prune();
  }

  /**
   * Swaps in a base read from the database after generation `startGen`, replacing the
   * segments in `replaced`: items it holds point to it unless changed since; items of the
   * replaced segments it lacks, and not changed since, were gone by the time it was read.
   */
  replaceBase(parts: readonly Segment[], startGen: number, replaced: ReadonlySet<Segment>): void {
    const inBase = new Set<string>();
    for (const seg of parts) {
      seg.data.metas.forEach((meta, doc) => {
        inBase.add(meta.id);
        if ((this.lastGen.get(meta.id) ?? 0) <= startGen) this.point(meta.id, { seg, doc });
      });
    }
    for (const [id, ptr] of this.current) {
      if (replaced.has(ptr.seg) && !inBase.has(id) && (this.lastGen.get(id) ?? 0) <= startGen)
        this.point(id, undefined);
    }
    this.segs = [...parts, ...this.segs.filter((s) => !parts.includes(s))];
    this.prune();
  }

  /** Takes a base loaded from disk: its items are current unless a change was announced while it was read. */
  loadBase(parts: readonly Segment[]): void {
    for (const seg of parts) {
      seg.data.metas.forEach((meta, doc) => {
        if (!this.lastGen.has(meta.id)) this.point(meta.id, { seg, doc });
      });
    }
    this.segs = [...parts];
    this.prune();
  }

  /** Documents and segments beside the base's pieces. */
  deltaSize(base: readonly Segment[]): { docs: number; segs: number } {
    let docs = 0;
    let segs = 0;
    for (const s of this.segs) {
      if (base.includes(s)) continue;
      docs += s.size;
      segs++;
    }
    return { docs, segs };
  }

  /** The segments the index searches. */
  snapshot(): Set<Segment> {
    return new Set(this.segs);
  }

  private point(id: string, to: Pointer | undefined): void {
    const old = this.current.get(id);
    if (old) {
      old.seg.live--;
      old.seg.current[old.doc] = 0;
    }
    if (to) {
      to.seg.live++;
      to.seg.current[to.doc] = 1;
      this.current.set(id, to);
    } else this.current.delete(id);
  }

  /** Drops the segments that hold no current document. */
  private prune(): void {
    this.segs = this.segs.filter((s) => s.live > 0);
  }
}
