"""What a SPARQL worker process may not do: reach the network, or grow without bound.

The query check (:func:`paccto.graph.sparql.query.screen_query`) refuses ``SERVICE`` before any
engine sees a query. This module is the second line, for the day a parser gap lets one through: a
worker gives up its network before it reads a single query, so an engine asked to open a
connection gets "network unreachable" instead of a socket.

Why a network namespace: it is the one mechanism that needs no cooperation from the engine.
pyoxigraph (0.5) has no switch to turn its HTTP client off; a seccomp filter needs a compiled
library the machine may not have; a proxy variable is a request, not a bound. A process that
calls ``unshare(CLONE_NEWNET)`` keeps its open files and its pipe to the server (a socket pair
is not part of any network) and sees only a loopback interface that is down. Root may do that
directly; another user first enters a user namespace of its own, where the kernel allows it.
Where neither is possible (another OS, a locked-down container), the worker says so and the
server reports it in ``/health``; ``PACCTO_SPARQL_NETWORK_ISOLATION=required`` then refuses to
start such workers at all.

The memory bound is ``RLIMIT_DATA``, taken after the graph is loaded: what a query may use on
top of the graph the worker holds, whatever the graph's size. A query past it fails to allocate
and the worker ends; the pool answers with a problem that names the limit.

Only the standard library is imported: a worker must start in a fraction of a second.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource

__all__ = ["NETWORK_ISOLATED", "data_in_use", "isolate_from_network", "limit_query_memory"]

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
#: What :func:`isolate_from_network` reports when it worked.
NETWORK_ISOLATED = "network namespace"


def _unshare(flags: int) -> int:
    """``unshare(2)``; 0 or the errno (Python 3.11 has no ``os.unshare``)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.unshare(flags) == 0:
        return 0
    return ctypes.get_errno()


def _map_to_self(uid: int, gid: int) -> None:
    # Inside the new user namespace the worker keeps its own ids, so files it could read
    # before (the store, the data file) it can read after.
    with open("/proc/self/setgroups", "w") as setgroups:
        setgroups.write("deny")
    with open("/proc/self/uid_map", "w") as uid_map:
        uid_map.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as gid_map:
        gid_map.write(f"{gid} {gid} 1")


def isolate_from_network() -> str:
    """Move this process into a network namespace of its own, with no interface up.

    Must run while the process has a single thread (before any engine starts its own).

    Returns
    -------
    str
        :data:`NETWORK_ISOLATED`, or why isolation was not possible.
    """
    if not hasattr(os, "getuid") or not os.path.exists("/proc/self/ns/net"):
        return "not available on this platform (no Linux namespaces)"
    uid, gid = os.getuid(), os.getgid()
    error = _unshare(_CLONE_NEWNET)
    if error == 0:
        return NETWORK_ISOLATED
    error = _unshare(_CLONE_NEWUSER | _CLONE_NEWNET)
    if error == 0:
        try:
            _map_to_self(uid, gid)
        except OSError as failure:
            return f"not available: user namespace id map refused ({failure.strerror})"
        return NETWORK_ISOLATED
    return f"not available: unshare refused ({os.strerror(error)})"


def data_in_use() -> int:
    """Bytes of this process's data segment and private mappings (``VmData``), what
    ``RLIMIT_DATA`` counts; 0 where ``/proc`` does not say."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def limit_query_memory(budget_bytes: int) -> int:
    """Let this process use at most ``budget_bytes`` more data memory than it does now.

    Returns the limit set, in bytes (0 where the platform cannot say what is in use).
    """
    in_use = data_in_use()
    if not in_use:
        return 0
    limit = in_use + budget_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    return limit
