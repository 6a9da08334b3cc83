from __future__ import annotations

import socket


def free_ports(n: int) -> list[int]:
    # All bound at once so the kernel cannot hand out the same port twice.
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()
