"""Helpers the bench scripts share; each script runs as `python bench/<name>.py`, so this folder is on sys.path."""

import os
from pathlib import Path


def backend_cpu_seconds() -> float | None:
    """CPU seconds so far of this connection's PostgreSQL backend, read from /proc (the server is local).

    None on SQLite (it runs in our own process) or when the backend is not on this machine.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
