/**
 * What the lab layer keeps on disk: the design each lab was last applied
 * from (so `status NAME` can name drift without the file), when it was
 * first brought up, a lock per lab (so the CLI and the server never change
 * one lab at the same time), and who owns each lab name (a design of the
 * dashboard, or the CLI). The kernel stays the truth about what runs; this
 * is only memory.
 */
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DESIGN_ID_RE, type Design, LAB_NAME_RE, parseDesign } from '@netcanvas/shared';
import { z } from 'zod';

export function defaultStateDir(): string {
  if (process.env.NETCANVAS_STATE_DIR) return process.env.NETCANVAS_STATE_DIR;
  if (process.getuid?.() === 0) return '/var/lib/netcanvas';
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'netcanvas');
}

function checkedLab(lab: string): string {
  if (!LAB_NAME_RE.test(lab)) throw new Error(`invalid lab name ${JSON.stringify(lab)}`);
  return lab;
}

/** Who a lab name belongs to: the design that was given it, or the CLI that brought it up from a file. */
export const LabOwner = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('design'),
    id: z.string().regex(DESIGN_ID_RE),
    /** As last seen, so a refusal can name the design without its store. */
    name: z.string().regex(LAB_NAME_RE),
    title: z.string().max(120).optional(),
    /** The store (SQLite file) the design is in, so a design deleted with its store frees its name. */
    store: z.string().max(4096).optional(),
  }),
  z.strictObject({ kind: z.literal('cli') }),
]);
export type LabOwner = z.infer<typeof LabOwner>;

export const sameOwner = (a: LabOwner, b: LabOwner): boolean =>
  a.kind === b.kind && (a.kind === 'cli' || (b.kind === 'design' && a.id === b.id));

/** How a design owner is named to a person: `"Title" (id)` or `name (id)`. */
export function describeOwner(owner: LabOwner): string {
  if (owner.kind === 'cli') return 'the command line (netcanvas up)';
  return `design ${owner.title ? JSON.stringify(owner.title) : owner.name} (${owner.id})`;
}

/**
 * The ownership registry: one `<lab>.owner` file per lab name in the state
 * directory the server and the CLI share. A name is claimed by creating its
 * file with link(2), which fails when the file exists: two processes
 * claiming one name at once cannot both win, and a reader never sees a
 * half-written file.
 */
export class LabOwners {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(lab: string) {
    return join(this.dir, `${checkedLab(lab)}.owner`);
  }

  private tmp(lab: string, owner: LabOwner): string {
    const tmp = `${this.file(lab)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify(owner), { mode: 0o600 });
    return tmp;
  }

  get(lab: string): LabOwner | undefined {
    let text: string;
    try {
      text = readFileSync(this.file(lab), 'utf8');
    } catch {
      return undefined;
    }
    let owner: LabOwner;
    try {
      owner = LabOwner.parse(JSON.parse(text));
    } catch {
      return undefined; // not a record of ours (edited by hand): the next claim replaces it
    }
    // A design whose whole store is gone (a data directory deleted) owns nothing any more.
    if (owner.kind === 'design' && owner.store !== undefined && !existsSync(owner.store))
      return undefined;
    return owner;
  }

  /** Records `owner` when the name is free; returns whoever owns the name now. */
  claim(lab: string, owner: LabOwner): LabOwner {
    const tmp = this.tmp(lab, owner);
    try {
      linkSync(tmp, this.file(lab));
      return owner;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const now = this.get(lab);
      if (now) return now;
      renameSync(tmp, this.file(lab));
      return owner;
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /** Replaces the owner (an explicit adoption, or a design's new title). */
  set(lab: string, owner: LabOwner): void {
    const tmp = this.tmp(lab, owner);
    renameSync(tmp, this.file(lab));
  }

  /** Frees the name, only if `owner` still holds it. */
  release(lab: string, owner: LabOwner): void {
    const now = this.get(lab);
    if (now && sameOwner(now, owner)) rmSync(this.file(lab), { force: true });
  }

  list(): { lab: string; owner: LabOwner }[] {
    const out: { lab: string; owner: LabOwner }[] = [];
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.owner')) continue;
      const lab = f.slice(0, -'.owner'.length);
      if (!LAB_NAME_RE.test(lab)) continue;
      const owner = this.get(lab);
      if (owner) out.push({ lab, owner });
    }
    return out.sort((a, b) => a.lab.localeCompare(b.lab));
  }
}

export class LabState {
  readonly dir: string;
  readonly owners: LabOwners;
  constructor(stateDir = defaultStateDir()) {
    this.dir = join(stateDir, 'labs');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.owners = new LabOwners(this.dir);
  }

  private file(lab: string, ext: string) {
    return join(this.dir, `${checkedLab(lab)}.${ext}`);
  }

  /** Remembers the design a lab runs; `fresh`: the lab was not running before (its age starts now). */
  saveDesign(design: Design, fresh: boolean): void {
    const target = this.file(design.name, 'json');
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(design), { mode: 0o600 });
    renameSync(tmp, target);
    const since = this.file(design.name, 'since');
    try {
      writeFileSync(since, new Date().toISOString(), { flag: fresh ? 'w' : 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }

  /** When the lab was first brought up (ISO time), if this machine remembers. */
  since(lab: string): string | undefined {
    const text = readFileSafe(this.file(lab, 'since'));
    return Number.isNaN(Date.parse(text)) ? undefined : text;
  }

  loadDesign(lab: string): Design | undefined {
    try {
      const parsed = parseDesign(JSON.parse(readFileSync(this.file(lab, 'json'), 'utf8')));
      return parsed.design;
    } catch {
      return undefined;
    }
  }

  forget(lab: string): void {
    rmSync(this.file(lab, 'json'), { force: true });
    rmSync(this.file(lab, 'since'), { force: true });
  }

  /**
   * Takes the lab's lock file, or returns false when a live process holds it.
   * A lock left by a process that died (kill -9 during `up`) is taken over.
   */
  tryLock(lab: string): boolean {
    const path = this.file(lab, 'lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = Number.parseInt(readFileSafe(path), 10);
        if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder))
          return false;
        rmSync(path, { force: true });
      }
    }
    return false;
  }

  unlock(lab: string): void {
    const path = this.file(lab, 'lock');
    if (readFileSafe(path) === String(process.pid)) rmSync(path, { force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A process killed with -9 stays a zombie until its parent reaps it, and
  // signal 0 still reaches a zombie: it holds nothing, so its lock is free.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
