"""How many connections each local server lets wait to be accepted.

`socketserver` listens with a backlog of 5: a sixth browser tab or test thread connecting
while five wait gets its connection reset (50 parallel creates on the local stack got 10
resets). API Gateway, CloudFront and AWS's endpoints queue far more; so do the local ones.
The kernel caps the number at net.core.somaxconn.
"""

from __future__ import annotations

import socket

BACKLOG = 1024


def deepen(listening: socket.socket) -> None:
    """Listen again with the deep backlog (Linux applies a new backlog to a listening socket)."""
    listening.listen(BACKLOG)
