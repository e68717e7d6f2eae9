/** Kernel names of a lab's objects. Owner: resolve. */
export function netnsName(lab: string, node: string | null): string {
  throw new Error('not implemented');
}
