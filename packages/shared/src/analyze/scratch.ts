/**
 * Spare Int32Arrays for the analyzer's per-run tables, handed back when a run is done with them.
 *
 * A fresh typed array of a megabyte costs far more than its zeroing where the memory comes
 * from the system page by page on first touch (the shared sandbox this project is measured on
 * took 3-9 ms to write a new 1.3 MB array, 0.06 ms to write it again): the decision tables of
 * one matrix are a few megabytes, made anew by every analysis. Tables taken from here hold
 * whatever they held before: every user fills them before reading.
 */
const spare: ArrayBuffer[] = [];
/** At most this many spare buffers are kept (the largest; a matrix run uses a handful). */
const MAX_SPARE = 12;

/** An Int32Array of `length` with unspecified contents. */
export function takeInt32(length: number): Int32Array {
  const bytes = length * 4;
  let best = -1;
  for (let k = 0; k < spare.length; k++) {
    const size = spare[k]!.byteLength;
    // Not much larger than asked: a small table does not pin a big buffer.
    if (size >= bytes && size <= 2 * bytes + 65536 && (best < 0 || size < spare[best]!.byteLength))
      best = k;
  }
  if (best < 0) return new Int32Array(length);
  const buffer = spare[best]!;
  spare[best] = spare[spare.length - 1]!;
  spare.pop();
  return new Int32Array(buffer, 0, length);
}

/** Hands `table`'s memory back: the caller never reads or writes `table` (or a view of it) again. */
export function giveInt32(table: Int32Array): void {
  // Only whole buffers this module can hand out again (not a view of someone else's data).
  if (table.byteOffset !== 0 || spare.includes(table.buffer as ArrayBuffer)) return;
  spare.push(table.buffer as ArrayBuffer);
  if (spare.length > MAX_SPARE) {
    let smallest = 0;
    for (let k = 1; k < spare.length; k++)
      if (spare[k]!.byteLength < spare[smallest]!.byteLength) smallest = k;
    spare[smallest] = spare[spare.length - 1]!;
    spare.pop();
  }
}
