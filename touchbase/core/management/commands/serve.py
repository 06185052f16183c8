"""touchbase serve: apply migrations, then serve the app with waitress, static files included.

waitress is a production WSGI server (threads, no debug reloader); WhiteNoise,
in the middleware, serves the static files straight from the apps' folders, so
they need neither collectstatic nor a web server (one in front still does HTTPS).
"""

import errno
import signal

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections
from waitress import create_server

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class Command(BaseCommand):
    help = "Apply migrations and serve touchbase with waitress (a production WSGI server). DEBUG stays off unless set."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1",
                            help="The address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).")
        parser.add_argument("--port", type=int, default=8000, help="The port (default 8000; 0 picks a free one).")
        parser.add_argument("--threads", type=int, default=4, help="Requests served at once (default 4).")
        parser.add_argument("--trusted-proxy", metavar="IP",
                            help="The address of the HTTPS proxy in front, e.g. 127.0.0.1: its X-Forwarded-Proto, "
                                 "-For and -Host headers are believed, from it only.")

    def handle(self, *args, **opts):
        host, port, threads = opts["host"], opts["port"], opts["threads"]
        if threads < 1:
            raise CommandError(f"--threads must be 1 or more, got {threads}.")
        self._migrate()
        # Imported only here: loading the WSGI app builds the whole middleware chain.
        from touchbase.wsgi import application

        try:
            server = create_server(application, host=host, port=port, threads=threads, ident="touchbase",
                                   **_proxy(opts["trusted_proxy"]))
        except OSError as exc:
            raise CommandError(_cannot_listen(host, port, exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"touchbase is serving {_urls(server)}"))
        self.stdout.write(f"{threads} threads, DEBUG {'ON: never expose this server' if settings.DEBUG else 'off'}. "
                          f"Press Ctrl-C to stop.")
        if host not in LOCAL_HOSTS and set(settings.ALLOWED_HOSTS) <= LOCAL_HOSTS | {"[::1]"}:
            self.stdout.write(self.style.WARNING(
                "Other machines will get 400 Bad Request until ALLOWED_HOSTS names the host they type, "
                "e.g. ALLOWED_HOSTS=sales.example.com"))
        # Someone piping the output to a log or a test waiting for the address needs it now, not at exit.
        self.stdout.flush()
        # systemd, Docker and `kill` stop a server with SIGTERM: treat it like Ctrl-C, which waitress
        # turns into a clean stop (requests in flight get a few seconds to finish).
        signal.signal(signal.SIGTERM, _stop)
        try:
            server.run()
        finally:
            server.close()
        self.stdout.write("Stopped.")

    def _migrate(self):
        try:
            call_command("migrate", interactive=False, verbosity=0)
        except DatabaseError as exc:
            db = connections["default"].settings_dict
            raise CommandError(f"Cannot prepare the database {db['NAME']} ({db['ENGINE'].rsplit('.', 1)[-1]}): "
                               f"{exc}".strip()) from exc


def _proxy(address: str | None) -> dict:
    if not address:
        return {}
    # Behind an HTTPS proxy Django must see https, or it refuses form posts whose Origin is
    # https://… and writes http:// into the links it builds (unsubscribe links in emails).
    return {"trusted_proxy": address, "clear_untrusted_proxy_headers": True,
            "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for", "x-forwarded-host"}}


def _stop(signum, frame):
    raise KeyboardInterrupt


def _urls(server) -> str:
    listen = getattr(server, "effective_listen", None) or [(server.effective_host, server.effective_port)]
    return ", ".join(f"http://[{h}]:{p}/" if ":" in str(h) else f"http://{h}:{p}/" for h, p in listen)


def _cannot_listen(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"Port {port} on {host} is already in use (another touchbase serve?). Stop that program, "
                f"or choose another port: touchbase serve --port {port + 1}")
    if exc.errno == errno.EACCES:
        return f"Not allowed to listen on port {port}: ports below 1024 need root. Use --port 8000 or higher."
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; use --host 127.0.0.1 or 0.0.0.0."
    return f"Cannot listen on {host}:{port}: {exc.strerror or exc}"
