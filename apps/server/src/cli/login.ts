/**
 * `netcanvas login`: a fresh login link for the server running on this
 * machine. Reads the server's file in the state directory (URL, pid,
 * master token; root only), asks the server for a single-use code with the
 * master token, and prints the link. The code is valid once, for 5 minutes.
 */
import { readServerFile, serverFilePath } from '../api/server-file.js';
import { defaultStateDir } from '../lab/state.js';
import { parseCommandArgs } from './args.js';
import { json } from './format.js';
import type { Command } from './types.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const loginCommand: Command = {
  name: 'login',
  summary: 'print a fresh login link for the running dashboard',
  usage: `usage: netcanvas login [--json]

Asks the server running on this machine (netcanvas serve) for a new login
link and prints it. Open it in a browser on this machine: it works once,
within 5 minutes, and gives that browser its own session (listed, and
revocable, in the dashboard's Sessions dialog). Needs to read the server's
file in the state directory ($NETCANVAS_STATE_DIR, /var/lib/netcanvas as
root), so run it as the user that started the server.`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, { min: 0, max: 0 });
    const stateDir = io.env.NETCANVAS_STATE_DIR || defaultStateDir();
    const info = readServerFile(stateDir);
    if (!info || !alive(info.pid)) {
      io.stderr(
        `netcanvas login: no netcanvas server is running (${serverFilePath(stateDir)} ${info ? `names pid ${info.pid}, which is gone` : 'is missing or unreadable'}); start one with netcanvas serve\n`,
      );
      return 1;
    }
    let res: Response;
    try {
      res = await fetch(`${info.url}/api/login/codes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      io.stderr(`netcanvas login: the server at ${info.url} did not answer: ${String(err)}\n`);
      return 1;
    }
    const body = (await res.json().catch(() => null)) as {
      code?: string;
      expiresAt?: string;
      error?: { message?: string };
    } | null;
    if (!res.ok || !body?.code) {
      io.stderr(
        `netcanvas login: the server refused (${res.status}): ${body?.error?.message ?? 'no reason given'}\n`,
      );
      return 1;
    }
    const url = `${info.url}/#login=${body.code}`;
    if (values.json) io.stdout(json({ url, expiresAt: body.expiresAt }));
    else io.stdout(`Open this link once, within 5 minutes:\n\n  ${url}\n\n`);
    return 0;
  },
};
