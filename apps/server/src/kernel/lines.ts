/**
 * Splits a helper's stdout into lines as chunks arrive. Only the new chunk is
 * searched for line ends: a multi-megabyte answer (the reading of a thousand
 * namespaces) arrives in hundreds of chunks, and searching the whole buffer
 * on each made reading it quadratic. `tooLong` is called, and the partial
 * line dropped, once a line grows past `max` characters: a helper that
 * prints without end must not grow the server's memory without bound.
 */
export function lineSplitter(
  max: number,
  onLine: (line: string) => void,
  tooLong: () => void,
): { push(chunk: string): void; reset(): void } {
  let partial = '';
  return {
    push(chunk) {
      let start = 0;
      let nl = chunk.indexOf('\n');
      while (nl >= 0) {
        const line = partial + chunk.slice(start, nl);
        partial = '';
        if (line.length > max) {
          tooLong();
          return;
        }
        onLine(line);
        start = nl + 1;
        nl = chunk.indexOf('\n', start);
      }
      partial += chunk.slice(start);
      if (partial.length > max) {
        partial = '';
        tooLong();
      }
    },
    reset() {
      partial = '';
    },
  };
}
