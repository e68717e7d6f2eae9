/**
 * Kernel names of a lab's objects (docs/architecture.md, "Kernel names").
 * Pure and deterministic: the same element always gets the same name, and a
 * name depends only on the element itself, so adding or removing another
 * element never renames it (except to resolve a clash).
 */

/** Element ids become part of namespace and interface names, so they stay small and plain. */
export const ELEMENT_ID_RE = /^[a-z][a-z0-9-]{0,30}$/;
/** Lab names are the middle of `nc-<lab>.<node>`; no dot, so the owner of a namespace is unambiguous. */
export const LAB_NAME_MAX = 24;
export const LAB_NAME_RE = new RegExp(`^[a-z][a-z0-9-]{0,${LAB_NAME_MAX - 1}}$`);
/** Interface names: IFNAMSIZ is 16 including the NUL. */
export const IFNAME_RE = /^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/;
/**
 * Names iproute2 reads as keywords (it matches keywords by prefix, so `a`
 * is `address`) or that already exist in every namespace. Rejected as
 * interface names and element ids even though we always write `dev X`.
 */
export const RESERVED_NAMES = new Set([
  'help',
  'dev',
  'name',
  'type',
  'up',
  'down',
  'all',
  'any',
  'none',
  'default',
  'master',
  'nomaster',
  'address',
  'addr',
  'broadcast',
  'brd',
  'mtu',
  'netns',
  'alias',
  'link',
  'index',
  'group',
  'peer',
  'via',
  'lo',
  'br0',
  'to',
  'table',
  'local',
  'remote',
  'dst',
  'src',
  'vf',
  'mode',
  'proto',
  'scope',
  'metric',
]);

/** IFNAMSIZ (16) minus the terminating NUL. */
export const IFNAME_MAX = 15;

const NETNS_PREFIX = 'nc-';
const ELEMENT_PART = /^[a-z][a-z0-9-]*$/;

/** `nc-<lab>` for the fabric namespace (node null), `nc-<lab>.<node>` for an element's namespace. */
export function netnsName(lab: string, node: string | null): string {
  return node === null ? `${NETNS_PREFIX}${lab}` : `${NETNS_PREFIX}${lab}.${node}`;
}

/**
 * The lab that owns a namespace, or null when the name is not one of ours.
 * Lab names contain no dot, so the owner is the text between `nc-` and the
 * first dot: `nc-same.c1` belongs to `same`, never to `same-vlan`.
 */
export function labOfNetns(name: string): string | null {
  if (!name.startsWith(NETNS_PREFIX)) return null;
  const rest = name.slice(NETNS_PREFIX.length);
  const dot = rest.indexOf('.');
  const lab = dot === -1 ? rest : rest.slice(0, dot);
  if (!LAB_NAME_RE.test(lab)) return null;
  // An element part must be an element id: `nc-lab.`, `nc-lab.C1`, `nc-lab.c1.x` are not ours.
  if (dot !== -1 && !ELEMENT_PART.test(rest.slice(dot + 1))) return null;
  return lab;
}

/** A lab name asked for more than this many times gives up rather than search on. */
export const LAB_NAME_TRIES = 9999;

/**
 * The lab a design asking for `requested` gets: the name itself when
 * `take(name)` accepts it, else `requested-2`, `-3`, … (the requested part
 * shortened so every candidate is still a lab name of at most 24
 * characters). `take` decides what "free" means (the caller's store,
 * ownership registry and kernel) and may claim the name as it answers.
 * Null when nothing was free.
 */
export function firstFreeLabName(requested: string, take: (lab: string) => boolean): string | null {
  if (!LAB_NAME_RE.test(requested)) return null;
  if (take(requested)) return requested;
  for (let n = 2; n <= LAB_NAME_TRIES; n++) {
    const suffix = `-${n}`;
    const candidate = `${requested.slice(0, LAB_NAME_MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (take(candidate)) return candidate;
  }
  return null;
}

/** 32-bit FNV-1a over the UTF-16 code units (all our names are ASCII). */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i) & 0xff;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const HASH_CHARS = 6;
const HASH_SPACE = 36 ** HASH_CHARS;
const HASH_PREFIX_MAX = IFNAME_MAX - 1 - HASH_CHARS;

/**
 * The deterministic stand-in for a readable name that does not fit (or
 * clashes): the first letters of the readable name, `-`, and 6 base-36
 * characters of the FNV-1a hash of `full` (the readable name itself unless
 * a caller needs to tell two equal readable names apart). ≤ 15 chars of
 * `[a-z0-9-]`.
 */
export function hashedIfname(readable: string, full: string = readable): string {
  const digest = (fnv1a32(full) % HASH_SPACE).toString(36).padStart(HASH_CHARS, '0');
  let prefix = readable
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '')
    .slice(0, HASH_PREFIX_MAX)
    .replace(/-+$/, '');
  if (!/^[a-z]/.test(prefix)) prefix = `n${prefix}`.slice(0, HASH_PREFIX_MAX).replace(/-+$/, '');
  return `${prefix}-${digest}`;
}

/** The readable name when it fits IFNAMSIZ, otherwise its hashed stand-in. */
export function shortIfname(readable: string): string {
  return readable.length <= IFNAME_MAX ? readable : hashedIfname(readable);
}

/**
 * Hands out interface names inside one namespace. The first claimant of a
 * readable name keeps it; a later claimant of the same name gets a hashed
 * name salted with its own identity, so adding a parallel link never renames
 * the existing interface.
 */
export class IfnameScope<Claimant = unknown> {
  private readonly taken = new Set<string>();
  /** The first claimant of each readable name, so a later clash can say whom it clashed with. */
  private readonly firstOf = new Map<string, Claimant>();

  /**
   * Returns the kernel name, whether the readable name had to be replaced
   * because it was taken, and (on a clash) the first claimant of that name.
   */
  claim(
    readable: string,
    identity: string,
    claimant?: Claimant,
  ): { name: string; clashed: boolean; first?: Claimant } {
    const short = shortIfname(readable);
    if (!this.taken.has(short)) {
      this.taken.add(short);
      if (claimant !== undefined && !this.firstOf.has(readable))
        this.firstOf.set(readable, claimant);
      return { name: short, clashed: false };
    }
    for (let attempt = 0; ; attempt++) {
      const salt = attempt === 0 ? `${readable}@${identity}` : `${readable}@${identity}#${attempt}`;
      const name = hashedIfname(readable, salt);
      if (!this.taken.has(name)) {
        this.taken.add(name);
        const first = this.firstOf.get(readable);
        return first === undefined ? { name, clashed: true } : { name, clashed: true, first };
      }
    }
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }
}
