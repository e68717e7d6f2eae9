#!/usr/bin/python3
"""
netcanvas ping helper: starts the fpings of a check, in many network
namespaces, from one small process.

Why: Node starts a process by forking the whole server (20-40 ms each on a
loaded 2-core VM, one after the other, in its event loop), so a check of a
few dozen namespaces spent more time starting fpings than waiting for them.
This process forks cheaply; each fping still runs in its own namespace
(`nsenter --net=/run/netns/NAME`), exactly as `ip netns exec NAME fping`
would for a socket.

Started by kernel/ping.ts as `/usr/bin/python3 -I ping-helper.py` with
LC_ALL=C. JSON lines on stdin/stdout, answered by id, in any order:

  first line out: {"ready": true} | {"ready": false, "fatal": message}
  {"id": 1, "netns": NAME, "args": [fping arguments], "timeoutMs": T}
      -> {"id": 1, "ok": true, "code": exit code, "stdout": S, "stderr": E}
       | {"id": 1, "ok": false, "error": message}      (refused, not started, timed out)
  end of input: the running fpings are killed and the helper exits.

At most MAX_RUNNING fpings at once, started by a fixed pool of as many
threads; at most MAX_WAITING more requests wait in a queue, and a request
beyond that is refused at once ("busy") rather than held: the server bounds
its own checks, so a full queue means something is wrong, and this process
must stay small whatever it is sent. This process is root and never trusts its input:
the namespace name and every argument are checked (options, numbers and
IPv4 addresses only), and only fping is ever run.
"""
import json
import queue
import re
import shutil
import subprocess
import sys
import threading

MAX_RUNNING = 48
MAX_WAITING = 256
MAX_ARGS = 1100
MAX_TIMEOUT_MS = 120_000
NETNS_NAME = re.compile(r'[A-Za-z0-9][A-Za-z0-9._-]{0,63}')
ARG = re.compile(r'--|-[A-Za-z]|-?\d+(\.\d+)?|(\d{1,3}\.){3}\d{1,3}')
PATH = '/usr/sbin:/usr/bin:/sbin:/bin'

out_lock = threading.Lock()
running = set()
running_lock = threading.Lock()
waiting = queue.Queue(maxsize=MAX_WAITING)
closing = threading.Event()


def send(obj):
    line = json.dumps(obj, separators=(',', ':')) + '\n'
    with out_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def check(req):
    """The argv to run, or raises ValueError with the reason."""
    netns = req.get('netns')
    args = req.get('args')
    timeout = req.get('timeoutMs')
    if not isinstance(netns, str) or not NETNS_NAME.fullmatch(netns) or netns in ('.', '..'):
        raise ValueError('invalid namespace name %s' % json.dumps(netns))
    if not isinstance(args, list) or not 0 < len(args) <= MAX_ARGS:
        raise ValueError('args: a list of 1 to %d arguments' % MAX_ARGS)
    for a in args:
        if not isinstance(a, str) or not ARG.fullmatch(a):
            raise ValueError('not an fping argument: %s' % json.dumps(a))
    if not isinstance(timeout, int) or isinstance(timeout, bool) or not 0 < timeout <= MAX_TIMEOUT_MS:
        raise ValueError('timeoutMs: 1 to %d' % MAX_TIMEOUT_MS)
    return [NSENTER, '--net=/run/netns/' + netns, FPING] + args, timeout / 1000.0


def run(rid, argv, timeout):
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env={'PATH': PATH, 'LC_ALL': 'C', 'LANG': 'C'})
    except OSError as e:
        send({'id': rid, 'ok': False, 'error': 'could not start fping: %s' % e})
        return
    with running_lock:
        running.add(proc)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        send({'id': rid, 'ok': False, 'error': 'fping did not end within %d ms' % (timeout * 1000)})
        return
    finally:
        with running_lock:
            running.discard(proc)
    send({'id': rid, 'ok': True, 'code': proc.returncode,
          'stdout': out.decode('utf-8', 'replace'), 'stderr': err.decode('utf-8', 'replace')})


def worker():
    while True:
        rid, argv, timeout = waiting.get()
        if closing.is_set():
            return
        run(rid, argv, timeout)


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        rid = None
        try:
            req = json.loads(line)
            rid = req.get('id') if isinstance(req, dict) else None
            if not isinstance(rid, int):
                raise ValueError('a request needs a numeric id')
            argv, timeout = check(req)
        except ValueError as e:
            send({'id': rid, 'ok': False, 'error': str(e)})
            continue
        try:
            waiting.put_nowait((rid, argv, timeout))
        except queue.Full:
            send({'id': rid, 'ok': False,
                  'error': 'busy: %d fpings running and %d waiting' % (MAX_RUNNING, MAX_WAITING)})
    closing.set()
    with running_lock:
        for proc in running:
            proc.kill()


FPING = shutil.which('fping', path=PATH)
NSENTER = shutil.which('nsenter', path=PATH)
if __name__ == '__main__':
    if not FPING or not NSENTER:
        send({'ready': False, 'fatal': '%s is not installed' % ('fping' if not FPING else 'nsenter')})
        sys.exit(1)
    for _ in range(MAX_RUNNING):
        threading.Thread(target=worker, daemon=True).start()
    send({'ready': True})
    main()
