#!/usr/bin/python3
"""
netcanvas kernel helper: works in many network namespaces from one
long-lived process, through pyroute2 (Debian's python3-pyroute2, 0.7).

Started by kernel/netlink.ts as `/usr/bin/python3 netlink-helper.py` with
LC_ALL=C. It speaks JSON lines on stdin/stdout, one request at a time:

  {"id": 1, "cmd": "run", "ops": [Op, ...], "upto": K (optional: run only ops before K)}
      -> {"id": 1, "progress": N}                      (at most every 100 ms)
      -> {"id": 1, "ok": true, "done": N, "ms": {kind: milliseconds spent on ops of that kind}}
       | {"id": 1, "ok": false, "done": N, "failed": {"index": I, "message": M},
          "ran": [indexes that succeeded]}
  {"id": 2, "cmd": "observe", "netns": [names]}
      -> {"id": 2, "ns": NAME, "part": {interfaces, routes, fdb, sysctls}}
       | {"id": 2, "ns": NAME, "missing": "gone" | "half-made"}     (per name)
      -> {"id": 2, "ok": true, "read": R, "cached": C}
  {"id": 3, "cmd": "counters", "netns": [names], "state": bool}
      -> {"id": 3, "ok": true, "rows": {NAME: {"dev": "/proc/net/dev text",
                                               "links": [[ifname, up, operstate]]}}}
  {"id": 5, "cmd": "net_dev", "netns": [names], "known": [names] | true, "state": [names]}
      -> {"id": 5, "ok": true, "pid": P, "rows": {NAME: "/proc/net/dev text"}, "gone": [names],
          "links": {NAME: [[ifname, up, operstate]]}}
         (a name of "known" (true: every name) whose text is what this process last sent for it
         is in neither "rows" nor "gone": a lab at rest is answered with its names not
         repeated; "gone": could not be read (gone, half-made); "links": the devices' state of
         the names in "state", from a netlink dump)
  {"id": 4, "cmd": "quit"}
  anything else -> {"id", "ok": false, "error": message}

A route moved by a run (a route.del of a destination and, later in the same
namespace's part of a segment, its route.add: what diff writes for a route
whose gateway changed) runs as one replace at the add's place (moved_routes):
one request instead of two, and the destination is never without a route.
Each line is still reported on its own, as if run apart: both ran, or the
add failed and its deletion ran (done alone then, as it would have been
before the add), or neither (the run stopped before the deletion's place).

An op that fails the checks below refuses its whole run before anything
runs (a failure of op 0, "refused before running anything: …"). The checks
are the same rules as packages/shared/src/render.ts and kernel/names.ts:
this process is root and never trusts its input.

A namespace is entered as pyroute2's pushns/popns do (setns), to make an
IPRoute() inside it, write its sysctls through /proc/sys/net or read its
/proc/net/dev, and left at once (back to the namespace this process started
in, through an fd held open; if even that fails the process exits). pyroute2's
NetNS class and netns.create would fork a process per namespace; nothing
here starts a process.
`netns add` does what `ip netns add` does (a name in /run/netns, unshare,
bind-mount), in this process; `netns del` what `ip netns del` does (detach
the mount, unlink the name) after closing this process's sockets inside.

Warm sockets, bounded: the IPRoute made inside a namespace is kept for the
next request (a one-link change opens little), at most MAX_SOCKETS at once
(least recently used closed first; one descriptor each: the control pipe
pyroute2 opens for a receiving thread it never starts here is closed). A socket keeps its namespace alive,
so it is kept only while /run/netns/NAME still names that namespace: checked
at its first use in each request, when /run/netns loses a name (inotify), and
all are closed after WARM_IDLE_S without a request.

observe keeps each namespace's last reading, in parts (devices, addresses,
routes, sysctls), while no netlink event says a part changed: root sockets
listen to every namespace with an nsid (NETLINK_LISTEN_ALL_NSID), one for each
of link, address, route and netconf events, and an event drops the parts it
can have changed (STALE_BY_GROUP), except route and link events, which are
applied to the routes and devices read (route_events, link_events): routes
moved in a router, or ports that came up, are not read again. A reading is kept only for a
namespace with an nsid, whose name still points at the same namespace
(device and inode of /run/netns/NAME); a lost event (ENOBUFS) drops them all.
VXLAN flood entries are read every time (neighbour events come with traffic).
"""

import ctypes
import errno
import json
import os
import re
import select
import socket
import struct
import sys
import time

NETNS_DIR = '/run/netns'

def _max_sockets():
    """40 per process (one descriptor each): the writer and the reader together stay within the
    128 descriptors an apply may add (large.kernel.test.ts), and within a quarter of the limit."""
    import resource
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        soft = 1 << 20
    return max(4, min(40, (soft - 64) // 4))


MAX_SOCKETS = _max_sockets()
WARM_IDLE_S = 20.0
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
IN_DELETE = 0x200
IN_MOVED_FROM = 0x40
IN_DELETE_SELF = 0x400
IN_UNMOUNT = 0x2000
IN_IGNORED = 0x8000
PROGRESS_EVERY_S = 0.1
CLONE_NEWNET = 0x40000000
MS_REC = 16384
MS_SHARED = 1 << 20
MS_BIND = 4096
MNT_DETACH = 2
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_LISTEN_ALL_NSID = 8
# RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV4_NETCONF (not NEIGH: see Observer),
# one root socket each (STALE_BY_GROUP: what an event of each makes stale)
MONITOR_GROUPS = (1, 5, 7, 24)
NSID_UNASSIGNED = (0xFFFFFFFF, -1, None)
FLOOD_MAC = '00:00:00:00:00:00'
IFF_UP = 1
NUD_PERMANENT = 0x80
OPERSTATES = ('UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP')
# iproute2's names for the device types a namespace may hold without linkinfo.
LINK_TYPES = {1: 'ether', 768: 'ipip', 769: 'tunnel6', 772: 'loopback', 776: 'sit', 778: 'gre',
              823: 'ip6gre', 65534: 'none'}

# ───────────────────────────── validation ─────────────────────────────
# The same rules as render.ts (NETNS_RE, IFNAME_RE, IPV4_RE, CIDR_RE, MAC_RE,
# SYSCTL_KEY_RE, SYSCTL_VALUE_RE) and names.ts (a /run/netns file name).

OCTET = r'(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)'
NETNS_RE = re.compile(r'nc-[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)?')
NETNS_FILE_RE = re.compile(r'[A-Za-z0-9][A-Za-z0-9._-]{0,63}')
IFNAME_RE = re.compile(r'[a-zA-Z][a-zA-Z0-9_.-]{0,14}')
IPV4_RE = re.compile(OCTET + r'(\.' + OCTET + r'){3}')
CIDR_RE = re.compile(OCTET + r'(\.' + OCTET + r'){3}/(3[0-2]|[12]?\d)')
MAC_RE = re.compile(r'[0-9a-f]{2}(:[0-9a-f]{2}){5}')
SYSCTL_KEY_RE = re.compile(r'net\.ipv[46](\.[a-z0-9_]+)+')
SYSCTL_VALUE_RE = re.compile(r'0|[1-9]\d{0,9}')


class Refused(Exception):
    pass


def check(cond, what, value):
    if not cond:
        raise Refused('invalid %s %s' % (what, json.dumps(value)))


def is_str(v):
    return isinstance(v, str)


def netns_name(v, what='namespace name'):
    check(is_str(v) and NETNS_RE.fullmatch(v) and NETNS_FILE_RE.fullmatch(v), what, v)
    return v


def dev_name(v, what='interface name'):
    check(is_str(v) and IFNAME_RE.fullmatch(v), what, v)
    return v


def ipv4(v, what='IPv4 address'):
    check(is_str(v) and IPV4_RE.fullmatch(v), what, v)
    return v


def cidr(v, what='address'):
    check(is_str(v) and CIDR_RE.fullmatch(v), what, v)
    return v


def integer(v, lo, hi, what):
    check(isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi, what, v)
    return v


def optional(op, key, f, *args):
    if key in op and op[key] is not None:
        return f(op[key], *args)
    return None


def validate(op):
    """Returns the op's kind after checking every field it uses; raises Refused."""
    check(isinstance(op, dict), 'op', op)
    kind = op.get('op')
    netns_name(op.get('netns'))
    if kind in ('netns.add', 'netns.del', 'netns.nsid'):
        return kind
    if kind == 'sysctl':
        check(is_str(op.get('key')) and SYSCTL_KEY_RE.fullmatch(op['key']), 'sysctl key', op.get('key'))
        check(is_str(op.get('value')) and SYSCTL_VALUE_RE.fullmatch(op['value']), 'sysctl value',
              op.get('value'))
        return kind
    if kind == 'route.del':
        destination(op.get('to'))
        optional(op, 'via', ipv4, 'gateway')
        optional(op, 'dev', dev_name)
        return kind
    dev_name(op.get('dev'))
    if kind == 'bridge.add':
        optional(op, 'mtu', integer, 68, 65535, 'MTU')
    elif kind == 'veth.add':
        dev_name(op.get('peer'), 'peer name')
        netns_name(op.get('peerNetns'))
        optional(op, 'mtu', integer, 68, 65535, 'MTU')
        for k in ('mac', 'peerMac'):
            if op.get(k) is not None:
                check(is_str(op[k]) and MAC_RE.fullmatch(op[k]), 'MAC address', op[k])
    elif kind == 'vxlan.add':
        integer(op.get('vni'), 0, 16777215, 'VNI')
        integer(op.get('port'), 1, 65535, 'UDP port')
        ipv4(op.get('local'), 'local address')
        dev_name(op.get('underlayDev'), 'underlay interface')
        optional(op, 'mtu', integer, 68, 65535, 'MTU')
    elif kind in ('link.del', 'link.nomaster'):
        pass
    elif kind == 'link.master':
        dev_name(op.get('master'), 'bridge name')
    elif kind == 'link.mtu':
        integer(op.get('mtu'), 68, 65535, 'MTU')
    elif kind == 'link.state':
        check(op.get('state') in ('up', 'down'), 'link state', op.get('state'))
    elif kind in ('addr.add', 'addr.del'):
        cidr(op.get('address'))
    elif kind in ('fdb.append', 'fdb.del'):
        ipv4(op.get('dst'), 'remote address')
    elif kind == 'route.add':
        destination(op.get('to'))
        ipv4(op.get('via'), 'gateway')
    else:
        raise Refused('unknown op %s' % json.dumps(kind))
    return kind


def destination(v):
    if v == 'default':
        return v
    return cidr(v, 'route destination')


# ───────────────────────────── namespaces ─────────────────────────────

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                       ctypes.c_void_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.unshare.argtypes = [ctypes.c_int]
libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
libc.inotify_init1.argtypes = [ctypes.c_int]
libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]


class KernelError(Exception):
    """A failed op, with the message iproute2 would print for it."""


def oserror_text(e):
    return os.strerror(e.errno) if getattr(e, 'errno', None) else str(e)


def path_of(name):
    return '%s/%s' % (NETNS_DIR, name)


def open_netns(name):
    """An fd of the namespace NAME, or KernelError as `ip -n NAME` words it."""
    try:
        return os.open(path_of(name), os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        raise KernelError('Cannot open network namespace "%s": %s' % (name, oserror_text(e)))


def enter(fd, name):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise KernelError('setting the network namespace "%s" failed: %s' % (name, os.strerror(err)))


ROOT_FD = None


# The namespace this process stayed in after a sysctl write (stay_in), None while in its own.
HERE = [None]


def back_to_root():
    """Returns this process to its own namespace; if even that fails, nothing after could be trusted."""
    HERE[0] = None
    if libc.setns(ROOT_FD, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        sys.stdout.write(json.dumps({'fatal': 'cannot return to the root namespace: %s' % os.strerror(err)}) + '\n')
        sys.stdout.flush()
        os._exit(70)


def stay_in(name):
    """Enters NAME and stays there: a plan writes a namespace's sysctls one after the other, and
    two setns a write were most of one. Whatever enters another namespace returns through
    back_to_root (which forgets this), and run() returns at its end."""
    if HERE[0] == name:
        return
    fd = open_netns(name)
    try:
        enter(fd, name)
        HERE[0] = name
    finally:
        os.close(fd)


def leave():
    if HERE[0] is not None:
        back_to_root()


def in_netns(name, f):
    """f() run inside the namespace NAME (sockets made there stay there; /proc/sys/net is its own)."""
    fd = open_netns(name)
    try:
        enter(fd, name)
        try:
            return f(fd)
        finally:
            back_to_root()
    finally:
        os.close(fd)


rundir_shared = False


def share_rundir():
    """As `ip netns add`: /run/netns is a shared mount, so a name unmounted anywhere is gone everywhere."""
    global rundir_shared
    if rundir_shared:
        return
    try:
        os.makedirs(NETNS_DIR, mode=0o755, exist_ok=True)
    except OSError as e:
        raise KernelError('mkdir %s failed: %s' % (NETNS_DIR, oserror_text(e)))
    made = False
    while libc.mount(b'', NETNS_DIR.encode(), b'none', MS_SHARED | MS_REC, None) != 0:
        err = ctypes.get_errno()
        if err != errno.EINVAL or made:
            raise KernelError('"mount --make-shared %s" failed: %s' % (NETNS_DIR, os.strerror(err)))
        if libc.mount(NETNS_DIR.encode(), NETNS_DIR.encode(), b'none', MS_BIND | MS_REC, None) != 0:
            err = ctypes.get_errno()
            raise KernelError('"mount --bind %s %s" failed: %s' % (NETNS_DIR, NETNS_DIR, os.strerror(err)))
        made = True
    rundir_shared = True


def netns_add(name):
    share_rundir()
    path = path_of(name)
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0))
    except OSError as e:
        raise KernelError('Cannot create namespace file "%s": %s' % (path, oserror_text(e)))
    # Between the name and the mount, a kill leaves a half-made name; apply repairs it.
    failure = None
    if libc.unshare(CLONE_NEWNET) != 0:
        failure = 'Failed to create a new network namespace "%s": %s' % (
            name, os.strerror(ctypes.get_errno()))
    else:
        if libc.mount(b'/proc/thread-self/ns/net', path.encode(), b'none', MS_BIND, None) != 0:
            failure = 'Bind /proc/self/ns/net -> %s failed: %s' % (path, os.strerror(ctypes.get_errno()))
        back_to_root()
    if failure:
        libc.umount2(path.encode(), MNT_DETACH)
        try:
            os.unlink(path)
        except OSError:
            pass
        raise KernelError(failure)


def netns_del(name):
    path = path_of(name)
    libc.umount2(path.encode(), MNT_DETACH)
    try:
        os.unlink(path)
    except OSError as e:
        raise KernelError('Cannot remove namespace file "%s": %s' % (path, oserror_text(e)))


# ───────────────────────────── pyroute2 ─────────────────────────────

def bare_package(name):
    """Registers package NAME without running its __init__: pyroute2's imports the whole library
    (NDB, asyncio, multiprocessing, unittest.mock, importlib.metadata) where the helper needs
    IPRoute and a few message classes, and the helper's start is on the path of an apply."""
    import importlib.util
    import types
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return  # the import below says what is missing
    pkg = types.ModuleType(name)
    pkg.__path__ = list(spec.submodule_search_locations)
    pkg.__spec__ = spec
    pkg.__file__ = spec.origin
    sys.modules[name] = pkg


def lean_imports():
    """What pyroute2's modules import or run at import and the helper never uses, left out of its
    start (about 45 of its 100 ms): pyroute2.lab, a hook for its own tests that imports
    unittest.mock and asyncio, is registered as what it is with its mocking off (IPRoute's first
    base, adding nothing); and pyroute2.config's platform probes (architecture(): `file -b
    python3`, uname(): `uname -p`), answers the helper never reads, find no process to start while
    the import runs (they answer their defaults, as where the commands are missing). Returns what
    puts subprocess back."""
    import subprocess
    import types
    lab = types.ModuleType('pyroute2.lab')

    class LAB_API:
        pass

    lab.LAB_API = LAB_API
    lab.use_mock = False
    sys.modules['pyroute2.lab'] = lab
    check_output = subprocess.check_output

    def no_process(argv, *_args, **_kwargs):
        raise OSError(errno.EPERM, 'no process while pyroute2 is imported', argv[0])

    subprocess.check_output = no_process

    def restore():
        subprocess.check_output = check_output

    return restore


try:
    bare_package('pyroute2')
    restore_subprocess = lean_imports()
    try:
        from pyroute2.iproute.linux import IPRoute
    finally:
        restore_subprocess()
    from pyroute2.netlink import (
        NLM_F_ACK,
        NLM_F_CREATE,
        NLM_F_DUMP,
        NLM_F_EXCL,
        NLM_F_REPLACE,
        NLM_F_REQUEST,
    )
    from pyroute2.netlink.exceptions import NetlinkError
    from pyroute2.netlink.rtnl import (
        RTM_DELADDR,
        RTM_DELLINK,
        RTM_DELROUTE,
        RTM_GETADDR,
        RTM_GETLINK,
        RTM_GETNEIGH,
        RTM_GETNETCONF,
        RTM_NEWNETCONF,
        RTM_GETROUTE,
        RTM_NEWADDR,
        RTM_NEWLINK,
        RTM_NEWNSID,
        RTM_NEWROUTE,
    )
    from pyroute2.netlink.rtnl.marshal import MarshalRtnl
    from pyroute2.netlink.rtnl.ifaddrmsg import ifaddrmsg
    from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg
    from pyroute2.netlink.rtnl.ndmsg import ndmsg
    from pyroute2.netlink.rtnl.nsidmsg import nsidmsg
    from pyroute2.netlink.rtnl.rtgenmsg import rtgenmsg
    from pyroute2.netlink.rtnl.rtmsg import rtmsg
except Exception as e:  # noqa: BLE001 - reported to the server, which falls back to ip -batch
    sys.stdout.write(json.dumps({'fatal': 'pyroute2 is not available: %s' % e}) + '\n')
    sys.stdout.flush()
    sys.exit(3)


def netlink_text(e):
    """NetlinkError as iproute2 prints it: the kernel's extended message, else the errno's text."""
    extra = e.args[1] if len(e.args) > 1 else None
    if isinstance(extra, bytes):
        extra = extra.decode('utf-8', 'replace')
    extra = str(extra).rstrip('\x00') if extra else ''
    plain = os.strerror(e.code)
    if extra and extra != plain:
        return 'Error: %s%s' % (extra, '' if extra.endswith('.') else '.')
    return 'RTNETLINK answers: %s' % plain


# Decodes the route events the monitor hears (pyroute2's own parser for rtnetlink messages).
EVENTS = MarshalRtnl()


def new_socket():
    ipr = IPRoute(ext_ack=True, strict_check=True)
    ipr.register_policy(RTM_NEWNETCONF, netconfmsg)
    # Its control pipe serves only pyroute2's receiving thread, which a synchronous IPRoute never
    # starts: closed, so a warm socket costs one descriptor, not three (close() ignores -1).
    for attr in ('_ctrl_read', '_ctrl_write'):
        fd = getattr(ipr, attr, None)
        if isinstance(fd, int) and fd >= 0:
            os.close(fd)
            setattr(ipr, attr, -1)
    return ipr


class NetnsHandles:
    """Handles kept per namespace name (a socket, a file), each an entry of `open` whose item [1]
    is the (st_dev, st_ino) of the namespace it was opened in. A handle holds its namespace alive,
    so one is kept only while /run/netns/NAME still names that namespace: sweep() drops the others
    (the /run/netns watch calls it when a name goes), close() drops them all (after WARM_IDLE_S
    without a request). What a drop closes is the subclass's."""

    def __init__(self):
        self.open = {}

    def drop(self, name):
        raise NotImplementedError

    def sweep(self):
        """Closes every handle whose name is gone or points at another namespace now."""
        for name, hit in list(self.open.items()):
            if not same_netns(name, hit[1]):
                self.drop(name)

    def close(self):
        for name in list(self.open):
            self.drop(name)


class Sockets(NetnsHandles):
    """IPRoute sockets opened inside namespaces, kept warm between requests (a one-link change
    reuses them), at most MAX_SOCKETS at once (the least recently used is closed first), and the
    index of each device looked up in a namespace during this request (forgotten when a device of
    that name is made or deleted, and at the next request).

    A socket holds its namespace alive, so one is kept only while its name still points at it:
    checked (device and inode of /run/netns/NAME against the namespace it was made in) the first
    time each request uses it, whenever /run/netns loses a name (inotify: `ip netns del` by anyone
    closes ours at once), and all are closed after WARM_IDLE_S without a request."""

    def __init__(self):
        super().__init__()  # open: name -> (IPRoute, (st_dev, st_ino)), least recently used first
        self.checked = set()  # names whose socket was checked during this request
        self.indexes = {}  # (name, ifname) -> index
        self.net_dir = None  # (name, fd of its /proc/sys/net) during a request's sysctls

    def begin(self):
        """A new request: sockets are checked again before use, device indexes are read again."""
        self.checked.clear()
        self.indexes.clear()
        self.close_sysctl_dir()

    def sysctl_dir(self, name):
        """The namespace's /proc/sys/net, kept while its sysctls are written (a plan writes a
        namespace's together); one at a time."""
        if self.net_dir is not None and self.net_dir[0] == name:
            return self.net_dir[1]
        self.close_sysctl_dir()

        def opendir(_fd):
            try:
                return os.open('/proc/sys/net', os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError as e:
                raise KernelError('sysctl: cannot open /proc/sys/net in "%s": %s' % (name, oserror_text(e)))

        self.net_dir = (name, in_netns(name, opendir))
        return self.net_dir[1]

    def close_sysctl_dir(self):
        if self.net_dir is not None:
            os.close(self.net_dir[1])
            self.net_dir = None

    def warm(self, name):
        return name in self.open

    def get(self, name):
        hit = self.open.pop(name, None)
        if hit is not None and name not in self.checked and not same_netns(name, hit[1]):
            hit[0].close()
            hit = None
        if hit is None:
            while len(self.open) >= MAX_SOCKETS:
                self.drop(next(iter(self.open)))
            hit = in_netns(name, lambda fd: (new_socket(), inode_of(os.fstat(fd))))
        self.checked.add(name)
        self.open[name] = hit
        return hit[0]

    def index(self, name, dev):
        """The device's index, as iproute2 finds it (by name, in the namespace: SIOCGIFINDEX)."""
        found = self.indexes.get((name, dev))
        if found is None:
            try:
                found = in_netns(name, lambda _fd: socket.if_nametoindex(dev))
            except OSError:
                raise KernelError('Cannot find device "%s"' % dev)
            self.indexes[(name, dev)] = found
        return found

    def forget(self, name, dev):
        self.indexes.pop((name, dev), None)

    def drop(self, name):
        """Closes the socket inside NAME (before it is deleted or made again) and forgets its devices."""
        hit = self.open.pop(name, None)
        self.checked.discard(name)
        if self.net_dir is not None and self.net_dir[0] == name:
            self.close_sysctl_dir()
        if hit is not None:
            hit[0].close()
        if any(k[0] == name for k in self.indexes):
            self.indexes = {k: v for k, v in self.indexes.items() if k[0] != name}


def inode_of(st):
    return (st.st_dev, st.st_ino)


def same_netns(name, inode):
    try:
        return inode_of(os.stat(path_of(name))) == inode
    except OSError:
        return False


SOCKS = Sockets()


def write_sysctl(key, value, net_dir):
    """Writes KEY (net.…) through NET_DIR, the namespace's /proc/sys/net: the walk from /proc/sys
    down to its own `net` is done once per namespace, as it grows with the namespaces on the machine."""
    path = '/proc/sys/' + key.replace('.', '/')
    try:
        fd = os.open(key[len('net.'):].replace('.', '/'), os.O_WRONLY | os.O_CLOEXEC, dir_fd=net_dir)
        try:
            os.write(fd, value.encode())
        finally:
            os.close(fd)
    except OSError as e:
        raise KernelError('sysctl: cannot set "%s" (%s): %s' % (key, path, oserror_text(e)))


def set_nsid(root, name):
    """`ip netns set NAME auto`: the namespace gets an id in ours, for `ip monitor all-nsid`."""
    fd = open_netns(name)
    try:
        msg = nsidmsg()
        msg['attrs'] = [('NETNSA_FD', fd), ('NETNSA_NSID', 0xFFFFFFFF)]
        root.nlm_request(msg, msg_type=RTM_NEWNSID, msg_flags=NLM_F_REQUEST | NLM_F_ACK)
    except NetlinkError as e:
        raise KernelError(netlink_text(e))
    finally:
        os.close(fd)


ACKED = NLM_F_REQUEST | NLM_F_ACK
CREATE = ACKED | NLM_F_CREATE | NLM_F_EXCL
REPLACE = ACKED | NLM_F_CREATE | NLM_F_REPLACE


def set_link(ipr, dev, attrs, up=None):
    """`ip link set dev DEV …`: the kernel finds the device by its name (no lookup here)."""
    msg = ifinfmsg()
    if up is not None:
        msg['flags'] = IFF_UP if up else 0
        msg['change'] = IFF_UP
    msg['attrs'] = [('IFLA_IFNAME', dev)] + attrs
    try:
        ipr.nlm_request(msg, msg_type=RTM_NEWLINK, msg_flags=ACKED)
    except NetlinkError as e:
        if e.code == errno.ENODEV:
            raise KernelError('Cannot find device "%s"' % dev)
        raise


def device_attrs(dev, mtu, mac):
    """A new device's name, and its MTU and MAC address when given, as ifinfmsg attributes."""
    attrs = [('IFLA_IFNAME', dev)]
    if mtu is not None:
        attrs.append(('IFLA_MTU', mtu))
    if mac is not None:
        attrs.append(('IFLA_ADDRESS', mac))
    return attrs


def add_link(ipr, attrs, info):
    """`ip link add … type KIND`: one RTM_NEWLINK (create, exclusive) made of pyroute2's ifinfmsg,
    the message its IPRoute.link('add') sends for the same arguments without going through its
    request filters (a third of a veth's python time; bridges and veths are a tenth of an up)."""
    msg = ifinfmsg()
    msg['attrs'] = attrs + [('IFLA_LINKINFO', {'attrs': info})]
    ipr.nlm_request(msg, msg_type=RTM_NEWLINK, msg_flags=CREATE)


def link_options(kw, mtu, mac):
    if mtu is not None:
        kw['mtu'] = mtu
    if mac is not None:
        kw['address'] = mac
    return kw


def execute(op, kind, socks, root, replace=False):
    """Runs one op; REPLACE (a route.add whose destination's route.del was paired with it by
    moved_routes): the route to that destination is replaced in one request, or made if gone."""
    ns = op['netns']
    if kind != 'sysctl':
        leave()
    if kind == 'netns.add':
        socks.drop(ns)
        netns_add(ns)
        return
    if kind == 'netns.del':
        socks.drop(ns)
        netns_del(ns)
        return
    if kind == 'netns.nsid':
        set_nsid(root, ns)
        return
    if kind == 'sysctl':
        net_dir = socks.sysctl_dir(ns)
        stay_in(ns)
        write_sysctl(op['key'], op['value'], net_dir)
        return
    ipr = socks.get(ns)
    dev = op.get('dev')
    try:
        if kind == 'bridge.add':
            socks.forget(ns, dev)
            add_link(ipr, device_attrs(dev, op.get('mtu'), None), [('IFLA_INFO_KIND', 'bridge')])
        elif kind == 'veth.add':
            socks.forget(ns, dev)
            socks.forget(op['peerNetns'], op['peer'])
            peer_fd = open_netns(op['peerNetns'])
            try:
                peer = device_attrs(op['peer'], op.get('mtu'), op.get('peerMac'))
                peer.append(('IFLA_NET_NS_FD', peer_fd))
                add_link(ipr, device_attrs(dev, op.get('mtu'), op.get('mac')),
                         [('IFLA_INFO_KIND', 'veth'),
                          ('IFLA_INFO_DATA', {'attrs': [('VETH_INFO_PEER', {'attrs': peer})]})])
            finally:
                os.close(peer_fd)
        elif kind == 'vxlan.add':
            socks.forget(ns, dev)
            kw = {'ifname': dev, 'kind': 'vxlan', 'vxlan_id': op['vni'], 'vxlan_port': op['port'],
                  'vxlan_local': op['local'], 'vxlan_link': socks.index(ns, op['underlayDev'])}
            ipr.link('add', **link_options(kw, op.get('mtu'), None))
        elif kind == 'link.del':
            index = socks.index(ns, dev)
            socks.forget(ns, dev)
            ipr.link('del', index=index)
        elif kind == 'link.master':
            set_link(ipr, dev, [('IFLA_MASTER', socks.index(ns, op['master']))])
        elif kind == 'link.nomaster':
            set_link(ipr, dev, [('IFLA_MASTER', 0)])
        elif kind == 'link.mtu':
            set_link(ipr, dev, [('IFLA_MTU', op['mtu'])])
        elif kind == 'link.state':
            set_link(ipr, dev, [], up=op['state'] == 'up')
        elif kind in ('addr.add', 'addr.del'):
            address, length = op['address'].split('/')
            msg = ifaddrmsg()
            msg['family'] = socket.AF_INET
            msg['prefixlen'] = int(length)
            msg['index'] = socks.index(ns, dev)
            msg['attrs'] = [('IFA_LOCAL', address), ('IFA_ADDRESS', address)]
            if kind == 'addr.add':
                ipr.nlm_request(msg, msg_type=RTM_NEWADDR, msg_flags=CREATE)
            else:
                ipr.nlm_request(msg, msg_type=RTM_DELADDR, msg_flags=ACKED)
        elif kind in ('fdb.append', 'fdb.del'):
            ipr.fdb('append' if kind == 'fdb.append' else 'del', ifindex=socks.index(ns, dev),
                    lladdr=FLOOD_MAC, dst=op['dst'])
        elif kind in ('route.add', 'route.del'):
            msg = rtmsg()
            msg['family'] = socket.AF_INET
            msg['table'] = 254
            attrs = []
            if op['to'] != 'default':
                dst, length = op['to'].split('/')
                msg['dst_len'] = int(length)
                attrs.append(('RTA_DST', dst))
            if op.get('via') is not None:
                attrs.append(('RTA_GATEWAY', op['via']))
            if kind == 'route.add':
                # As `ip route add`: main table, protocol boot, scope universe, unicast.
                msg['proto'], msg['scope'], msg['type'] = 3, 0, 1
                attrs.append(('RTA_OIF', socks.index(ns, dev)))
                msg['attrs'] = attrs
                # `ip route replace`: the kernel swaps the route with the same key (destination,
                # tos, metric 0) for this one, at once, or adds it when there is none (its old
                # gateway's link went down meanwhile). A route to the destination with another
                # metric, by hand, stays: more than apply mends (route-events.kernel.test.ts).
                ipr.nlm_request(msg, msg_type=RTM_NEWROUTE,
                                msg_flags=REPLACE if replace else CREATE)
            else:
                # As `ip route del`: any protocol, any scope, any type.
                msg['proto'], msg['scope'], msg['type'] = 0, 255, 0
                if op.get('dev') is not None:
                    attrs.append(('RTA_OIF', socks.index(ns, op['dev'])))
                msg['attrs'] = attrs
                ipr.nlm_request(msg, msg_type=RTM_DELROUTE, msg_flags=ACKED)
    except NetlinkError as e:
        raise KernelError(netlink_text(e))


# ───────────────────────────── observe ─────────────────────────────

def attrs_of(msg):
    """A message's attributes by name (first of each), decoded only when asked."""
    out = {}
    for slot in msg['attrs']:
        out.setdefault(slot.cell[0], slot)
    return out


def value(attrs, name, default=None):
    slot = attrs.get(name)
    if slot is None:
        return default
    v = slot.get_value()
    return default if v is None else v


DUMP = NLM_F_REQUEST | NLM_F_DUMP


def dump(ipr, msg, msg_type):
    return tuple(ipr.nlm_request(msg, msg_type=msg_type, msg_flags=DUMP))


def operstate_name(v):
    if isinstance(v, int):
        return OPERSTATES[v] if v < len(OPERSTATES) else 'UNKNOWN'
    return v or 'UNKNOWN'


def dump_links(ipr):
    """Every device of the namespace without its statistics (RTEXT_FILTER_SKIP_STATS)."""
    msg = ifinfmsg()
    msg['attrs'] = [('IFLA_EXT_MASK', 8)]
    return [(l, attrs_of(l)) for l in dump(ipr, msg, RTM_GETLINK)]


PARTS = ('links', 'addrs', 'routes', 'sysctls')
# What an event of each group makes stale in a namespace's reading. An address removed loses the
# routes through it without a route event of their own. Link events are applied to the devices
# read (link_events), and make stale only the routes through a device that went down or away (its
# IPv4 routes go without a route event: Observer.settle); route events are applied to the routes
# read (route_events).
STALE_BY_GROUP = {1: (), 5: ('addrs', 'routes'), 7: (), 24: ('sysctls',)}
LINK_GROUP = 1
ROUTE_GROUP = 7


def device_of(l, a):
    """A device (an RTM_NEWLINK message of a dump or an event, and its attrs_of) as an
    ObservedIface without addresses and with master/underlay as indexes; None for lo."""
    link_type = LINK_TYPES.get(l['ifi_type'], 'arphrd-%d' % l['ifi_type'])
    if link_type == 'loopback':
        return None
    info = value(a, 'IFLA_LINKINFO')
    kind = info.get_attr('IFLA_INFO_KIND') if info is not None else None
    dev = {
        'name': value(a, 'IFLA_IFNAME', ''),
        'ifindex': l['index'],
        'kind': kind or link_type,
        'up': bool(l['flags'] & IFF_UP),
        'operstate': operstate_name(value(a, 'IFLA_OPERSTATE')),
        'master': value(a, 'IFLA_MASTER'),
        'mtu': value(a, 'IFLA_MTU', 0),
        'mac': value(a, 'IFLA_ADDRESS', ''),
    }
    if kind == 'vxlan':
        data = info.get_attr('IFLA_INFO_DATA')
        get = (lambda k: data.get_attr(k)) if data is not None else (lambda k: None)
        dev['vxlan'] = {
            'vni': get('IFLA_VXLAN_ID'),
            'port': get('IFLA_VXLAN_PORT'),
            'local': get('IFLA_VXLAN_LOCAL'),
            'underlayDev': get('IFLA_VXLAN_LINK'),
        }
    return dev


def read_links(ipr):
    """The devices (not lo) as ObservedIface without addresses and with master/underlay as
    indexes (in the order of their indexes, as the kernel dumps them), and every device's name by
    index."""
    links = dump_links(ipr)
    by_index = {l['index']: value(a, 'IFLA_IFNAME', '') for l, a in links}
    devices = [d for d in (device_of(l, a) for l, a in links) if d is not None]
    devices.sort(key=lambda d: d['ifindex'])
    return {'devices': devices, 'by_index': by_index}


def link_events(links, chunks):
    """The devices of a reading with the link events heard since applied in order (an
    RTM_NEWLINK says the whole of its device, as a dump does; the bridge's own port messages,
    family AF_BRIDGE, say nothing of what a reading holds): a namespace whose ports only came up
    is not dumped again. Returns (links, downed): the indexes of the devices that went down or
    away (the kernel flushes their IPv4 routes without a route event). (None, None) when an event
    is not understood."""
    devices = {d['ifindex']: d for d in links['devices']}
    by_index = dict(links['by_index'])
    downed = set()
    for chunk in chunks:
        for m in EVENTS.parse(chunk):
            kind = m['header']['type']
            if m['header'].get('error') is not None or kind not in (RTM_NEWLINK, RTM_DELLINK):
                return None, None
            if m['family'] == socket.AF_BRIDGE:
                continue
            index = m['index']
            if kind == RTM_DELLINK:
                devices.pop(index, None)
                by_index.pop(index, None)
                downed.add(index)
                continue
            a = attrs_of(m)
            by_index[index] = value(a, 'IFLA_IFNAME', '')
            dev = device_of(m, a)
            if dev is not None:
                devices[index] = dev
            if not m['flags'] & IFF_UP:
                downed.add(index)
    return {'devices': sorted(devices.values(), key=lambda d: d['ifindex']),
            'by_index': by_index}, downed


def read_addrs(ipr):
    """Global IPv4 addresses by device index."""
    addrs = {}
    msg = ifaddrmsg()
    msg['family'] = socket.AF_INET
    for m in dump(ipr, msg, RTM_GETADDR):
        if m['scope'] != 0:
            continue
        a = attrs_of(m)
        local = value(a, 'IFA_LOCAL') or value(a, 'IFA_ADDRESS')
        if local is not None:
            addrs.setdefault(m['index'], []).append('%s/%d' % (local, m['prefixlen']))
    return addrs


def route_of(r):
    """A main-table route the reading keeps (with a gateway, or default) as (to, via, device
    index, tos, priority): the last two are the kernel's key beside the destination; or None."""
    a = attrs_of(r)
    gateway = value(a, 'RTA_GATEWAY')
    if r['table'] != 254 or (gateway is None and r['dst_len'] != 0):
        return None
    to = 'default' if r['dst_len'] == 0 else '%s/%d' % (value(a, 'RTA_DST'), r['dst_len'])
    return (to, gateway, value(a, 'RTA_OIF'), r['tos'], value(a, 'RTA_PRIORITY', 0))


def read_routes(ipr, oif=None):
    """The main table's routes with a gateway, and default routes (route_of's shape); with OIF,
    only those through that device (filtered by the kernel, as `ip route show dev X`)."""
    msg = rtmsg()
    msg['family'] = socket.AF_INET
    msg['table'] = 254  # the kernel filters by table (strict checking): no local routes to decode
    if oif is not None:
        msg['attrs'] = [('RTA_OIF', oif)]
    try:
        found = dump(ipr, msg, RTM_GETROUTE)
    except NetlinkError as e:
        # ENOENT: no main table yet (a namespace without a route); ENODEV: that device is gone.
        if e.code != errno.ENOENT and not (oif is not None and e.code == errno.ENODEV):
            raise
        found = ()
    return [route for route in map(route_of, found) if route is not None]


def route_events(routes, chunks, skip=frozenset()):
    """The routes of a reading with the route events heard since applied in order (each says
    the whole of the route it names, so events the reading already shows change nothing):
    a route moved in a router is not read again; routes through the devices of SKIP are left
    out (they are read again). None when an event is not understood."""
    routes = list(routes)
    for chunk in chunks:
        for m in EVENTS.parse(chunk):
            kind = m['header']['type']
            if kind not in (RTM_NEWROUTE, RTM_DELROUTE):
                continue
            if m['header'].get('error') is not None:
                return None
            route = route_of(m)
            if route is None or route[2] in skip:
                continue
            key = (route[0], route[3], route[4])
            if kind == RTM_DELROUTE:
                if route in routes:
                    routes.remove(route)
                continue
            if m['header']['flags'] & NLM_F_REPLACE:
                routes = [r for r in routes if (r[0], r[3], r[4]) != key]
            if route not in routes:
                routes.append(route)
    return routes


class netconfmsg(rtgenmsg):
    """struct netconfmsg and its attributes, declared as pyroute2 declares its own messages
    (0.7 declares none for netconf)."""

    nla_map = (
        ('NETCONFA_UNSPEC', 'none'),
        ('NETCONFA_IFINDEX', 'int32'),
        ('NETCONFA_FORWARDING', 'uint32'),
        ('NETCONFA_RP_FILTER', 'uint32'),
        ('NETCONFA_MC_FORWARDING', 'uint32'),
        ('NETCONFA_PROXY_NEIGH', 'uint32'),
        ('NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN', 'uint32'),
        ('NETCONFA_INPUT', 'uint32'),
        ('NETCONFA_BC_FORWARDING', 'uint32'),
    )


NETCONFA_IFINDEX_ALL = -1
NETCONFA_IFINDEX_DEFAULT = -2


def read_sysctls(ipr):
    """ip_forward and the all/default rp_filter, from the kernel's netconf (ip_forward is
    conf.all.forwarding): two netlink requests, where reading /proc/sys costs a path walk that
    grows with the devices on the machine (milliseconds a file among a few thousand)."""
    out = []
    for index, wanted in ((NETCONFA_IFINDEX_ALL, (('net.ipv4.ip_forward', 'NETCONFA_FORWARDING'),
                                                  ('net.ipv4.conf.all.rp_filter', 'NETCONFA_RP_FILTER'))),
                          (NETCONFA_IFINDEX_DEFAULT, (('net.ipv4.conf.default.rp_filter',
                                                      'NETCONFA_RP_FILTER'),))):
        msg = netconfmsg()
        msg['rtgen_family'] = socket.AF_INET
        msg['attrs'] = [('NETCONFA_IFINDEX', index)]
        for m in ipr.nlm_request(msg, msg_type=RTM_GETNETCONF, msg_flags=NLM_F_REQUEST):
            a = attrs_of(m)
            for key, attr in wanted:
                v = value(a, attr)
                if v is not None:
                    out.append((key, str(v)))
    return out


READERS = {'links': read_links, 'addrs': read_addrs, 'routes': read_routes, 'sysctls': read_sysctls}


def assemble(name, parts):
    """ObservedState's shapes of one namespace from its parts, and its vxlan devices as (index, name)."""
    by_index = parts['links']['by_index']
    addrs = parts['addrs']
    interfaces = []
    vxlans = []
    for d in parts['links']['devices']:
        iface = dict(d, netns=name, addresses=addrs.get(d['ifindex'], []),
                     master=by_index.get(d['master']) if d['master'] else None)
        if 'vxlan' in d:
            underlay = d['vxlan']['underlayDev']
            iface['vxlan'] = dict(d['vxlan'], underlayDev=by_index.get(underlay) if underlay else None)
            vxlans.append((d['ifindex'], d['name']))
        interfaces.append(iface)
    routes = [{'netns': name, 'to': r[0], 'via': r[1], 'dev': by_index.get(r[2], '') if r[2] else ''}
              for r in parts['routes']]
    sysctls = [{'netns': name, 'key': k, 'value': v} for k, v in parts['sysctls']]
    return {'interfaces': interfaces, 'routes': routes, 'sysctls': sysctls}, vxlans


def read_netns(name, ipr, parts=None):
    """One namespace's interfaces, gateway routes and sysctls (ObservedState's shapes), and its
    vxlan devices as (index, name); `parts`: those already known (the others are read into it)."""
    parts = {} if parts is None else parts
    for part in PARTS:
        if part not in parts:
            parts[part] = READERS[part](ipr)
    return assemble(name, parts)


def read_fdb(name, ipr, vxlans):
    """The configured flood entries (a dst, permanent) of these vxlan devices: not the learned ones."""
    fdb = []
    for index, dev in vxlans:
        msg = ndmsg()
        msg['family'] = socket.AF_BRIDGE
        msg['ifindex'] = index  # the kernel lists this device's entries only
        for f in dump(ipr, msg, RTM_GETNEIGH):
            a = attrs_of(f)
            dst = value(a, 'NDA_DST')
            if dst is None or f['ifindex'] != index or not (f['state'] & NUD_PERMANENT):
                continue
            fdb.append({'netns': name, 'dev': dev, 'mac': value(a, 'NDA_LLADDR', ''), 'dst': dst})
    return fdb


class Monitor:
    """Which parts of which namespaces changed since they were read: root sockets hear every
    namespace with an nsid, one socket per group, so which socket heard an event says what it
    touched (no event is decoded)."""

    def __init__(self):
        self.socks = []
        try:
            for group in MONITOR_GROUPS:
                self.socks.append((self.listen(group), STALE_BY_GROUP[group]))
        except OSError:
            self.close()
            raise

    @staticmethod
    def listen(group):
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC,
                          socket.NETLINK_ROUTE)
        try:
            try:
                s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)  # SO_RCVBUFFORCE
            except OSError:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 20)
            s.setsockopt(SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, 1)
            s.bind((0, 0))
            s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)
        except OSError:
            s.close()
            raise
        return s

    def close(self):
        for s, _ in self.socks:
            s.close()
        self.socks = []

    def changed(self):
        """({nsid: parts gone stale}, {nsid: [route events, as received]}, {nsid: [link events]})
        since the last call; None when events were lost (everything is suspect)."""
        stale = {}
        routes = {}
        links = {}
        space = socket.CMSG_SPACE(4)
        for (s, parts), group in zip(self.socks, MONITOR_GROUPS):
            # The route and link sockets: their events are applied, not just counted.
            keep = routes if group == ROUTE_GROUP else links if group == LINK_GROUP else None
            while True:
                try:
                    data, ancillary, _, _ = s.recvmsg(65536, space)
                except BlockingIOError:
                    break
                except OSError as e:
                    if e.errno == errno.ENOBUFS:
                        return None
                    raise
                for level, kind, cdata in ancillary:
                    if level == SOL_NETLINK and kind == NETLINK_LISTEN_ALL_NSID and len(cdata) >= 4:
                        nsid = struct.unpack('i', cdata[:4])[0]
                        if keep is not None:
                            keep.setdefault(nsid, []).append(data)
                        else:
                            stale.setdefault(nsid, set()).update(parts)
        return stale, routes, links


class Reading:
    """A namespace's last reading: its parts (those no event made stale since) and, while all
    are fresh, their JSON text; `redo`: devices that went down or away since, whose routes are
    left out of `parts` until they are read again."""
    __slots__ = ('inode', 'nsid', 'parts', 'text', 'vxlans', 'redo')

    def __init__(self, inode, nsid, parts, text, vxlans):
        self.inode, self.nsid, self.parts, self.text, self.vxlans = inode, nsid, parts, text, vxlans
        self.redo = set()


class Observer:
    """Readings of namespaces, each part kept while no event of its namespace made it stale
    (a route moved: only the routes are read again). Flood entries are read again every time
    (cheap: vxlan devices only), so neighbour and bridge-learning events, which traffic makes
    all the time, need not be heard."""

    def __init__(self, root):
        self.root = root
        self.cache = {}  # name -> Reading
        self.by_nsid = {}
        try:
            self.monitor = Monitor()
        except OSError:
            self.monitor = None

    def settle(self):
        """Drops what changed since it was read."""
        changed = self.monitor.changed() if self.monitor is not None else None
        if changed is None:
            self.cache.clear()
            self.by_nsid.clear()
            return
        stale, routes, links = changed
        for nsid, parts in stale.items():
            hit = self.cache.get(self.by_nsid.get(nsid))
            if hit is None:
                continue
            for part in parts:
                hit.parts.pop(part, None)
            hit.text = None
        for nsid, chunks in links.items():
            hit = self.cache.get(self.by_nsid.get(nsid))
            if hit is None:
                continue
            hit.text = None
            applied, downed = None, None
            if 'links' in hit.parts:
                try:
                    applied, downed = link_events(hit.parts['links'], chunks)
                except Exception:  # noqa: BLE001 - an event not understood: read them again
                    applied, downed = None, None
            if applied is None:
                hit.parts.pop('links', None)
            else:
                hit.parts['links'] = applied
            kept = hit.parts.get('routes')
            if downed is None or (downed and kept is not None and any(r[2] is None for r in kept)):
                hit.parts.pop('routes', None)
            elif downed and kept is not None:
                # The kernel flushed the routes through the devices that went down or away (and
                # any route through them since is in events this socket cannot order against
                # the link's): those routes are read again, through those devices alone (a cut
                # router's table is not dumped again for the link it lost), the others kept.
                hit.parts['routes'] = [r for r in kept if r[2] not in downed]
                hit.redo |= downed
        # After the drops: routes a link or address event made stale are read again whole.
        for nsid, chunks in routes.items():
            hit = self.cache.get(self.by_nsid.get(nsid))
            if hit is None or 'routes' not in hit.parts:
                continue
            try:
                moved = route_events(hit.parts['routes'], chunks, hit.redo)
            except Exception:  # noqa: BLE001 - an event not understood: read them again
                moved = None
            if moved is None:
                hit.parts.pop('routes', None)
            else:
                hit.parts['routes'] = moved
            hit.text = None

    def read(self, name, ipr, fd, parts, text, redo=()):
        """Inside NAME, with its socket: what is not known of its main part (and its text, unless
        given; the routes through the devices of REDO when the others are known), the flood
        entries, the nsid, the inode."""
        vxlans = None
        if text is None:
            if redo and 'routes' in parts:
                parts['routes'] = parts['routes'] + [
                    r for oif in sorted(redo) for r in read_routes(ipr, oif)]
            main, vxlans = read_netns(name, ipr, parts)
            text = json.dumps(main, separators=(',', ':'))
        else:
            vxlans = self.cache[name].vxlans
        fdb = read_fdb(name, ipr, vxlans)
        try:
            got = self.root.get_netnsid(fd=fd)
            nsid = got.get('nsid') if got else None
        except NetlinkError:
            nsid = None
        return text, vxlans, fdb, (None if nsid in NSID_UNASSIGNED else nsid), os.fstat(fd)

    def observe(self, names, emit):
        self.settle()
        read = cached = 0
        for name in names:
            try:
                st = os.stat(path_of(name))
            except OSError:
                self.cache.pop(name, None)
                emit(name, None, 'gone')
                continue
            hit = self.cache.get(name)
            if hit is not None and hit.inode != inode_of(st):
                hit = None
            if hit is None:
                self.cache.pop(name, None)
            try:
                if hit is not None and hit.text is not None and not hit.vxlans:
                    text, fdb = hit.text, []
                else:
                    parts = dict(hit.parts) if hit is not None else {}
                    known = hit.text if hit is not None else None
                    redo = hit.redo if hit is not None else ()
                    ipr = SOCKS.get(name)
                    text, vxlans, fdb, nsid, inode = in_netns(
                        name, lambda fd, name=name, ipr=ipr, parts=parts, known=known, redo=redo:
                        self.read(name, ipr, fd, parts, known, redo))
                    if known is None:
                        read += 1
                        self.keep(name, st, inode, nsid, parts, text, vxlans)
            except KernelError:
                # Deleted meanwhile, or a name with nothing mounted on it (a create was interrupted).
                emit(name, None, 'half-made' if os.path.exists(path_of(name)) else 'gone')
                continue
            if hit is not None and hit.text is not None:
                cached += 1
            emit(name, '%s,"fdb":%s}' % (text[:-1], json.dumps(fdb, separators=(',', ':'))), None)
        return read, cached

    def keep(self, name, st, inode, nsid, parts, text, vxlans):
        """Kept only when events can tell it changed: the namespace has an nsid and is still this name's."""
        if nsid is None or self.monitor is None or inode_of(inode) != inode_of(st):
            self.cache.pop(name, None)
            return
        old = self.by_nsid.get(nsid)
        if old is not None and old != name:
            self.cache.pop(old, None)
        self.by_nsid[nsid] = name
        self.cache[name] = Reading(inode_of(st), nsid, parts, text, vxlans)

    def forget(self, names):
        for n in names:
            self.cache.pop(n, None)


def counters(names, with_state):
    """Per namespace: /proc/net/dev as the kernel prints it, and with_state each device's state."""
    rows = {}

    def read(_fd):
        with open('/proc/thread-self/net/dev') as f:
            return {'dev': f.read()}

    for name in names:
        try:
            ipr = SOCKS.get(name) if with_state else None
            row = in_netns(name, read)
            if ipr is not None:
                row['links'] = link_states(ipr)
            rows[name] = row
        except (OSError, NetlinkError, KernelError):
            continue  # gone, or half-made: nothing to count
    return rows


class NetDevFiles(NetnsHandles):
    """Each namespace's /proc/net/dev, opened inside it once and read again with pread: a file of
    /proc/net opened in a namespace stays bound to it, so a 1 Hz poll of a thousand namespaces is
    a pread each (6 us here) instead of two setns, an open and a read (74 us).

    An open file holds its namespace alive (its devices too: a veth whose peer namespace was
    deleted by hand would stay), so, as the warm sockets, one is kept only while /run/netns/NAME
    still names that namespace: checked at every read (a stat), whenever /run/netns loses a name
    (inotify), and all are closed after WARM_IDLE_S without a request. At most MAX_NET_DEV at
    once; past it a namespace is read the old way, nothing kept."""

    def __init__(self):
        super().__init__()  # open: name -> [fd, (st_dev, st_ino) of the namespace, socket or None]
        self.sent = {}  # name -> the text last sent for it

    def entry(self, name):
        hit = self.open.get(name)
        if hit is not None and not same_netns(name, hit[1]):
            self.drop(name)
            hit = None
        if hit is None:
            def opened(fd):
                return [os.open('/proc/thread-self/net/dev', os.O_RDONLY | os.O_CLOEXEC), inode_of(os.fstat(fd)), None]

            hit = in_netns(name, opened)
            if len(self.open) < MAX_NET_DEV:
                self.open[name] = hit
        return hit

    def read(self, name):
        hit = self.entry(name)
        try:
            return pread_all(hit[0])
        finally:
            if self.open.get(name) is not hit:
                os.close(hit[0])

    def links(self, name):
        """[[ifname, up, operstate]] of the namespace's devices but lo, from a pyroute2 socket made
        inside it and kept with its file (making one was most of a listing's time)."""
        hit = self.entry(name)
        kept = self.open.get(name) is hit
        try:
            if hit[2] is None:
                hit[2] = in_netns(name, lambda _fd: new_socket())
            return link_states(hit[2])
        except (OSError, NetlinkError):
            if hit[2] is not None:
                hit[2].close()
                hit[2] = None
            raise
        finally:
            if not kept:
                os.close(hit[0])
                if hit[2] is not None:
                    hit[2].close()

    def drop(self, name):
        hit = self.open.pop(name, None)
        self.sent.pop(name, None)
        if hit is not None:
            os.close(hit[0])
            if hit[2] is not None:
                hit[2].close()

    def close(self):
        super().close()
        self.sent.clear()


def pread_all(fd):
    """The whole file from its start (procfs fills a read as far as it can: a short one is the end)."""
    chunks = []
    offset = 0
    while True:
        chunk = os.pread(fd, 1 << 16, offset)
        chunks.append(chunk)
        offset += len(chunk)
        if len(chunk) < 1 << 16:
            return b''.join(chunks).decode('utf-8', 'replace')


def _max_net_dev():
    """A file and a socket each: together within a quarter of the soft limit (the warm sockets
    take at most another quarter)."""
    import resource
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        soft = 1 << 20
    return max(8, (soft - 64) // 8)


MAX_NET_DEV = _max_net_dev()
NET_DEV = NetDevFiles()


def link_states(ipr):
    """[[ifname, up, operstate]] of the namespace's devices but lo, decoded by pyroute2."""
    return [
        [value(a, 'IFLA_IFNAME', ''), bool(l['flags'] & IFF_UP), operstate_name(value(a, 'IFLA_OPERSTATE'))]
        for l, a in dump_links(ipr) if l['ifi_type'] != 772
    ]


def net_dev(names, known, state):
    """/proc/net/dev of each namespace: its text, unless the name is of KNOWN (True: all) and its
    text did not change since this process last sent it; the names that could not be read; for the
    names of STATE, their devices' state."""
    rows = {}
    gone = []
    links = {}
    known = None if known is True else set(known)
    state = set(state)
    for name in names:
        try:
            text = NET_DEV.read(name)
            if name in state:
                links[name] = NET_DEV.links(name)
        except (OSError, NetlinkError, KernelError):
            NET_DEV.drop(name)
            links.pop(name, None)
            gone.append(name)
            continue  # gone, or half-made: nothing to count
        if (known is None or name in known) and NET_DEV.sent.get(name) == text:
            continue
        rows[name] = text
        NET_DEV.sent[name] = text
    return rows, gone, links


# ───────────────────────────── the loop ─────────────────────────────

def send(obj):
    sys.stdout.write(json.dumps(obj, separators=(',', ':')) + '\n')
    sys.stdout.flush()


# Ops that act inside their own namespace only: one of them depends on nothing of another
# namespace that a later stage of this kind makes (devices come from veth.add, a barrier).
# The helper says them when it is ready: netlink.ts shares long segments of them between two helpers.
LOCAL = frozenset(('sysctl', 'bridge.add', 'vxlan.add', 'link.master', 'link.nomaster', 'link.mtu',
                   'link.state', 'addr.add', 'addr.del', 'fdb.append', 'fdb.del', 'route.add',
                   'route.del'))
# Kinds whose ops, in one stage, are each independent of the others (a namespace, its id, a veth
# pair of its own): netlink.ts shares a long stage of one of them between two helpers too.
STAGES = frozenset(('netns.add', 'netns.nsid', 'veth.add'))
# Kinds that act on their own namespace only (making it, giving it an id): what follows them in
# that namespace depends on them and on nothing another process does, so netlink.ts shares them
# in one segment with the LOCAL ops after them (no wait between the two helpers in between).
OWN = frozenset(('netns.add', 'netns.nsid'))


def segments(ops):
    """The order ops run in. Consecutive ops of one kind form a stage (as the batch runner's
    `stage: op.op`); inside it, ops of different namespaces do not depend on each other. Consecutive
    stages of LOCAL kinds form one segment, run namespace by namespace (each namespace's ops in plan
    order), so a namespace's socket is used once per segment rather than once per stage; any other
    stage (namespaces made or deleted, veths, which reach into two) is a segment of its own."""
    out = []
    start = 0
    while start < len(ops):
        end = start + 1
        kind = ops[start]['op']
        if kind in LOCAL:
            while end < len(ops) and ops[end]['op'] in LOCAL:
                end += 1
        else:
            while end < len(ops) and ops[end]['op'] == kind:
                end += 1
        out.append(range(start, end))
        start = end
    return out


def segment_order(ops, segment, socks):
    """The segment's ops, a namespace's together in plan order; namespaces with a warm socket first,
    so a lab larger than the socket cache still finds MAX_SOCKETS of them open in every segment."""
    return sorted(segment, key=lambda i: (not socks.warm(ops[i]['netns']), ops[i]['netns'], i))


def moved_routes(ops, kinds, order):
    """The routes a segment moves: {index of a route.del: index of the route.add of the same
    destination in the same namespace that follows it in ORDER (a segment's)}, each pair run as one
    replace at the add's place (see run). Between the two, the namespace's order holds only ops of
    LOCAL kinds, none of which reads or needs a gateway route: the deletion waits for the add
    without changing what they do, and the add still comes after what it needs (a device up, an
    address that makes its gateway reachable, as in an undo, where the link comes back first).
    Any other op on that destination between them ends the pairing (none is fused then)."""
    pending = {}  # (netns, to) -> index of a route.del waiting for its add
    pairs = {}
    for i in order:
        kind = kinds[i]
        if kind not in ('route.del', 'route.add'):
            continue
        key = (ops[i]['netns'], ops[i]['to'])
        waiting = pending.pop(key, None)
        if kind == 'route.del':
            pending[key] = i
        elif waiting is not None:
            pairs[waiting] = i
    return pairs


def delete_alone(op, socks, root):
    """A route.del moved_routes held back for its add, run alone because the add cannot run: True
    when the route is gone now (deleted, or already gone: an op between them, a link set down,
    flushed it, where run in plan order the deletion came first and succeeded)."""
    try:
        execute(op, 'route.del', socks, root)
        return True
    except KernelError as e:
        return str(e).endswith(os.strerror(errno.ESRCH))
    except Exception:  # noqa: BLE001 - not run, as far as anyone can tell: left as skipped
        return False


def run(req_id, ops, root, observer, upto=None):
    """Runs OPS, or with UPTO only those before it (every op is checked all the same: a run
    that node shares between the writer and the reader is refused whole before anything runs)."""
    try:
        check(isinstance(ops, list), 'ops', type(ops).__name__)
        if upto is not None:
            integer(upto, 0, len(ops), 'upto')
        kinds = []
        for i, op in enumerate(ops):
            try:
                kinds.append(validate(op))
            except Refused as e:
                raise Refused('op %d: %s' % (i, e))
    except Refused as e:
        send({'id': req_id, 'ok': False, 'done': 0, 'ran': [],
              'failed': {'index': 0, 'message': 'refused before running anything: %s' % e}})
        return
    adds = [i for i, kind in enumerate(kinds) if kind == 'netns.add']
    if adds:
        # Before any op runs: a run that node shares has its namespaces made by two helpers
        # at once, and /run/netns must be a shared mount before either makes one (made once).
        try:
            share_rundir()
        except KernelError as e:
            send({'id': req_id, 'ok': False, 'done': 0, 'ran': [],
                  'failed': {'index': adds[0], 'message': str(e)}})
            return
    socks = SOCKS
    socks.begin()
    done = 0
    ran = []
    spent = {}
    last = time.monotonic()
    try:
        for segment in segments(ops if upto is None else ops[:upto]):
            order = segment_order(ops, segment, socks)
            moved = moved_routes(ops, kinds, order)
            deleted_by = {add: dele for dele, add in moved.items()}
            waiting = {}  # deletions passed in ORDER whose add has not run yet
            for i in order:
                if i in moved:
                    waiting[i] = True  # runs with its add, as one replace
                    continue
                op = ops[i]
                t0 = time.monotonic()
                try:
                    execute(op, kinds[i], socks, root, replace=i in deleted_by)
                except Exception as e:  # noqa: BLE001 - whatever it is, it is this op's failure
                    if isinstance(e, KernelError):
                        message = str(e)
                    elif isinstance(e, OSError):
                        message = oserror_text(e)
                    else:
                        message = 'helper error: %s: %s' % (type(e).__name__, e)
                    # The deletions passed before this op (its own too, when it is a replace)
                    # run now, alone: the run ends as the two lines would have left it, each
                    # deletion ran (the route is gone, to be put back by an undo), the add not.
                    for d in waiting:
                        if delete_alone(ops[d], socks, root):
                            done += 1
                            ran.append(d)
                    send({'id': req_id, 'ok': False, 'done': done, 'ran': sorted(ran),
                          'failed': {'index': i, 'message': message}})
                    return
                spent[kinds[i]] = spent.get(kinds[i], 0.0) + time.monotonic() - t0
                if i in deleted_by:
                    # The replace did the deletion too: both lines ran.
                    del waiting[deleted_by[i]]
                    done += 1
                    ran.append(deleted_by[i])
                done += 1
                ran.append(i)
                if kinds[i] == 'netns.del' and observer is not None:
                    observer.forget([op['netns']])
                now = time.monotonic()
                if now - last >= PROGRESS_EVERY_S:
                    last = now
                    send({'id': req_id, 'progress': done})
        send({'id': req_id, 'ok': True, 'done': done,
              'ms': {k: round(v * 1000, 1) for k, v in spent.items()}})
    finally:
        leave()
        socks.indexes.clear()
        socks.close_sysctl_dir()


def parse(line):
    """A request, checked: (id, cmd, request) or Refused."""
    try:
        req = json.loads(line)
    except ValueError as e:
        raise Refused('not JSON: %s' % e)
    check(isinstance(req, dict), 'request', str(line[:80]))
    req_id = req.get('id')
    check(isinstance(req_id, int) and not isinstance(req_id, bool), 'request id', req_id)
    cmd = req.get('cmd')
    if cmd in ('observe', 'counters', 'net_dev'):
        names = req.get('netns')
        check(isinstance(names, list), 'netns', names)
        for n in names:
            netns_name(n)
    for key in ('known', 'state'):
        if cmd == 'net_dev' and req.get(key) is not None and not (key == 'known' and req[key] is True):
            listed = req.get(key)
            check(isinstance(listed, list), key, listed)
            for n in listed:
                netns_name(n)
    return req_id, cmd, req


class Watch:
    """Names leaving /run/netns (inotify): the sockets inside them are closed at once."""

    def __init__(self):
        self.fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        self.watching = False
        self.arm()

    def arm(self):
        if self.fd < 0 or self.watching:
            return
        mask = IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_UNMOUNT
        self.watching = libc.inotify_add_watch(self.fd, NETNS_DIR.encode(), mask) >= 0

    def drain(self):
        """True when something happened (which name does not matter: every socket is checked)."""
        got = False
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                break
            if not data:
                break
            got = True
            offset = 0
            while offset + 16 <= len(data):
                _wd, mask, _cookie, length = struct.unpack_from('iIII', data, offset)
                if mask & IN_IGNORED:
                    self.watching = False  # the directory itself went: watch the new one
                offset += 16 + length
        return got


def lines(watch):
    """Requests, one line each, from stdin; between them the warm sockets are kept honest."""
    fd = sys.stdin.fileno()
    buf = b''
    idle_since = time.monotonic()
    while True:
        nl = buf.find(b'\n')
        if nl >= 0:
            line, buf = buf[:nl], buf[nl + 1:]
            yield line
            idle_since = time.monotonic()
            watch.arm()
            continue
        fds = [fd] + ([watch.fd] if watch.fd >= 0 else [])
        warm = SOCKS.open or NET_DEV.open
        timeout = max(0.0, idle_since + WARM_IDLE_S - time.monotonic()) if warm else None
        ready, _, _ = select.select(fds, [], [], timeout)
        if not ready:
            SOCKS.close()  # idle: no namespace is kept alive by a helper that has nothing to do
            NET_DEV.close()
            continue
        if watch.fd in ready and watch.drain():
            SOCKS.sweep()
            NET_DEV.sweep()
            watch.arm()
        if fd in ready:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                if buf:
                    yield buf
                return
            buf += chunk


class State:
    """What lives from request to request: the root socket and the observer (made at the first observe)."""

    def __init__(self, root):
        self.root = root
        self.observer = None


def main():
    global ROOT_FD
    ROOT_FD = os.open('/proc/self/ns/net', os.O_RDONLY | os.O_CLOEXEC)
    state = State(new_socket())
    watch = Watch()
    send({'ready': True, 'pid': os.getpid(), 'local': sorted(LOCAL), 'stages': sorted(STAGES),
          'own': sorted(OWN)})
    for line in lines(watch):
        if not line.strip():
            continue
        try:
            req_id, cmd, req = parse(line)
        except Refused as e:
            send({'id': None, 'ok': False, 'error': 'request refused: %s' % e})
            continue
        SOCKS.begin()
        if PROFILE_DIR:
            profiled(req_id, cmd, lambda: handle(req_id, cmd, req, state))
        else:
            handle(req_id, cmd, req, state)
        if cmd == 'quit':
            return


# For profiling only: NC_HELPER_PROFILE=DIR writes each request's cProfile to DIR/PID-ID-CMD.prof.
PROFILE_DIR = os.environ.get('NC_HELPER_PROFILE')


def profiled(req_id, cmd, f):
    import cProfile
    prof = cProfile.Profile()
    try:
        prof.runcall(f)
    finally:
        prof.dump_stats(os.path.join(PROFILE_DIR, '%d-%d-%s.prof' % (os.getpid(), req_id, cmd)))


def handle(req_id, cmd, req, state):
    """One request, answered (an error included)."""
    try:
        if cmd == 'quit':
            send({'id': req_id, 'ok': True})
        elif cmd == 'run':
            run(req_id, req.get('ops'), state.root, state.observer, req.get('upto'))
        elif cmd == 'observe':
            if state.observer is None:
                state.observer = Observer(state.root)

            def emit(name, text, missing):
                if missing:
                    send({'id': req_id, 'ns': name, 'missing': missing})
                else:
                    sys.stdout.write('{"id":%d,"ns":%s,"part":%s}\n' % (req_id, json.dumps(name), text))

            read, cached = state.observer.observe(req['netns'], emit)
            send({'id': req_id, 'ok': True, 'read': read, 'cached': cached})
        elif cmd == 'net_dev':
            rows, gone, links = net_dev(req['netns'], req.get('known') or [], req.get('state') or [])
            send({'id': req_id, 'ok': True, 'pid': os.getpid(), 'rows': rows, 'gone': gone, 'links': links})
        elif cmd == 'counters':
            send({'id': req_id, 'ok': True, 'rows': counters(req['netns'], bool(req.get('state')))})
        else:
            send({'id': req_id, 'ok': False, 'error': 'unknown command %s' % json.dumps(cmd)})
    except (KernelError, NetlinkError, OSError) as e:
        text = netlink_text(e) if isinstance(e, NetlinkError) else str(e)
        send({'id': req_id, 'ok': False, 'error': text})
    except Exception as e:  # noqa: BLE001 - a bug here must answer its request, not end the helper
        send({'id': req_id, 'ok': False, 'error': 'helper error: %s: %s' % (type(e).__name__, e)})


if __name__ == '__main__':
    try:
        main()
    except (BrokenPipeError, KeyboardInterrupt):
        pass
