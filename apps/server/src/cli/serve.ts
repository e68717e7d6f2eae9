/**
 * `netcanvas serve [--host H] [--port P] [--data-dir D] [--allow-remote]`:
 * the dashboard and its API on one listener. Prints the login URL (with the
 * token) once; stops cleanly on SIGINT/SIGTERM (sockets, pollers, database)
 * and never destroys a lab on the way out.
 */
import { resolve } from 'node:path';
import { parseCommandArgs } from './args.js';
import { type Command, UsageError } from './types.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'start the dashboard and its API (default http://127.0.0.1:7878)',
  usage: `usage: netcanvas serve [--host H] [--port P] [--data-dir D] [--allow-remote]

Serves the web dashboard, the REST API and the live socket on one address.
  --host H        address to listen on (default 127.0.0.1)
  --port P        port (default 7878; 0 picks a free one)
  --data-dir D    where designs are stored
                  (default $XDG_DATA_HOME/netcanvas or ~/.local/share/netcanvas)
  --allow-remote  required to listen on anything but loopback: the server runs
                  as root and changes the kernel
Prints a login link: open it once, within 5 minutes, in a browser on this
machine ("netcanvas login" prints a new one while the server runs). Ctrl-C
stops the server and ends every browser session; running labs keep running
(netcanvas down LAB removes one).`,
  async run(args, io) {
    const { values } = parseCommandArgs(
      args,
      {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'allow-remote': { type: 'boolean' },
      },
      { min: 0, max: 0 },
    );
    const host = values.host ?? '127.0.0.1';
    if (!/^[A-Za-z0-9.:-]{1,253}$/.test(host))
      throw new UsageError(`--host ${host} is not an address`);
    const portText = values.port ?? '7878';
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
      throw new UsageError(`--port ${portText} is not a port number`);
    const dataDir = values['data-dir'] ? resolve(io.cwd, values['data-dir']) : undefined;

    const { startDashboard } = await import('./dashboard.js');
    let dashboard: Awaited<ReturnType<typeof startDashboard>>;
    try {
      dashboard = await startDashboard({
        host,
        port: Number(portText),
        ...(dataDir ? { dataDir } : {}),
        ...(values['allow-remote'] ? { allowRemote: true } : {}),
      });
    } catch (err) {
      io.stderr(`netcanvas serve: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    const { running } = dashboard;
    if (!dashboard.webBuilt) {
      io.stderr('netcanvas serve: apps/web/dist is not built (pnpm build); serving the API only\n');
    }
    if (running.recovered) {
      const r = running.recovered;
      io.stdout(
        `\n!!! THE DESIGN DATABASE WAS DAMAGED (${r.reason}).\n!!! It was moved aside to ${r.movedTo}\n!!! and this server starts with an EMPTY store at ${r.path}.\n!!! sqlite3 "${r.movedTo}" .recover may rescue designs from the old file.\n\n`,
      );
    }
    io.stdout(
      `netcanvas is running at ${running.url}\n\nOpen this link to log in (once, within 5 minutes; \`netcanvas login\` prints a new one):\n\n  ${running.loginUrl()}\n\n`,
    );

    await new Promise<void>((done) => {
      const stop = (signal: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void dashboard.close(signal).finally(done);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
