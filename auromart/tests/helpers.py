"""Small helpers shared by tests that start other processes or servers."""

import socket

from django.db import connection


def database_url() -> str:
    """DATABASE_URL of the test database, for a process of another kind (a worker, a host)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"mysql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"


def free_port(ports: range) -> int:
    """The first port of `ports` free on 127.0.0.1 (each module keeps to its own range)."""
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {ports}")
