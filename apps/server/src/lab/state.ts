/**
 * What the lab layer keeps on disk: the design each lab was last applied
 * from (so `status NAME` can name drift without the file) and a lock per lab
 * (so the CLI and the server never change one lab at the same time).
 * The kernel stays the truth about what runs; this is only memory.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Design, LAB_NAME_RE, parseDesign } from '@netcanvas/shared';

export function defaultStateDir(): string {
  if (process.env.NETCANVAS_STATE_DIR) return process.env.NETCANVAS_STATE_DIR;
  if (process.getuid?.() === 0) return '/var/lib/netcanvas';
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'netcanvas');
}

function checkedLab(lab: string): string {
  if (!LAB_NAME_RE.test(lab)) throw new Error(`invalid lab name ${JSON.stringify(lab)}`);
  return lab;
}

export class LabState {
  readonly dir: string;
  constructor(stateDir = defaultStateDir()) {
    this.dir = join(stateDir, 'labs');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private file(lab: string, ext: string) {
    return join(this.dir, `${checkedLab(lab)}.${ext}`);
  }

  saveDesign(design: Design): void {
    const target = this.file(design.name, 'json');
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(design), { mode: 0o600 });
    renameSync(tmp, target);
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
