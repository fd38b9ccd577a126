import type { SegmentData } from "./segment.ts";

/** A typed array's contents in shared memory (itself when already there). */
function shared<T extends Uint32Array | Float32Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

/**
 * A segment's data with its postings in shared memory, as the live index keeps them: the
 * query threads (query-pool.ts) then read the one copy rather than each holding its own.
 */
export function sharedData(data: SegmentData): SegmentData {
  return { ...data, offsets: shared(data.offsets), docs: shared(data.docs), weights: shared(data.weights) };
}
