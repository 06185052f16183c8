"""The `touchbase` console script: createuser, and serve as a user runs it.

`serve` runs for real in a subprocess on a free port with its own fresh
TOUCHBASE_HOME (SQLite), the way `make demo` starts it.
"""

import http.client
import io
import json
import os
import queue
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import PASSWORD
from touchbase.accounts.models import Role, User

TOUCHBASE = str(Path(sys.executable).parent / "touchbase")
ENVIRONMENT_SETTINGS = {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"}


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_SETTINGS}
    env["TOUCHBASE_HOME"] = str(home)
    return env


def touchbase(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([TOUCHBASE, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("role", Role.values)
def test_createuser_creates_a_user_with_each_role(db, role):
    out = io.StringIO()
    call_command("createuser", f"Lee.{role}@Example.com", "--role", role, "--password", PASSWORD, stdout=out)

    user = User.objects.get(email=f"lee.{role}@example.com")
    assert user.role == role
    assert user.is_staff is (role == Role.ADMIN), "only admins get the Django admin"
    assert user.check_password(PASSWORD)
    assert f"Created {role} lee.{role}@example.com" in out.getvalue()


def test_serve_refuses_fewer_than_one_thread():
    with pytest.raises(CommandError, match="--threads must be 1 or more, got 0"):
        call_command("serve", "--threads", "0")


def test_createuser_refuses_a_role_that_does_not_exist(db):
    with pytest.raises(CommandError, match=r"--role: invalid choice: 'boss' \(choose from 'admin', 'manager', 'seller'\)"):
        call_command("createuser", "lee@example.com", "--role", "boss", "--password", PASSWORD)
    assert not User.objects.filter(email="lee@example.com").exists()


def test_createuser_refuses_an_email_that_is_taken(sam):
    with pytest.raises(CommandError, match="A user with the email sam@example.com already exists"):
        call_command("createuser", "SAM@example.com", "--role", "admin", "--password", "another long password")
    sam.refresh_from_db()
    assert sam.role == Role.SELLER
    assert sam.check_password(PASSWORD)


@dataclass
class Server:
    home: Path
    url: str
    env: dict[str, str]
    process: subprocess.Popen


def _wait_for_address(process: subprocess.Popen, seconds: float = 90) -> str:
    """Read serve's output until it prints its address; the rest of its output is left in the pipe."""
    lines: queue.Queue[str] = queue.Queue()

    def read_until_address():
        for line in process.stdout:
            lines.put(line)
            if "http://" in line:
                return

    threading.Thread(target=read_until_address, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            if process.poll() is not None:
                raise AssertionError(f"touchbase serve stopped (exit {process.returncode}); it printed {seen}") from None
            continue
        seen.append(line)
        found = re.search(r"http://\S+?/", line)
        if found:
            return found.group(0)
    process.kill()
    raise AssertionError(f"touchbase serve printed no address in {seconds} s; it printed {seen}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    env = environment(home)
    log = (home / "serve.log").open("w")
    process = subprocess.Popen([TOUCHBASE, "serve", "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=log,
                               text=True)
    try:
        yield Server(home=home, url=_wait_for_address(process), env=env, process=process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_serve_prints_the_address_it_serves(server):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", server.url)


def test_serve_applies_the_migrations_before_serving(server):
    db = sqlite3.connect(server.home / "touchbase.sqlite3")
    applied = {app for (app,) in db.execute("SELECT DISTINCT app FROM django_migrations")}
    assert {"accounts", "crm", "sessions", "auth"} <= applied


def test_serve_answers_the_login_page(server):
    status, body = get(server.url + "login/")
    assert status == 200
    assert b"password" in body.lower()


def test_serve_serves_the_static_files(server):
    status, body = get(server.url + "static/vendor/htmx-2.0.11.min.js")
    assert status == 200
    assert b"htmx" in body


def test_serve_runs_with_debug_off(server):
    status, body = get(server.url + "no-such-page/")
    assert status == 404
    assert b"Traceback" not in body
    assert b"DEBUG = True" not in body, "Django's debug page must never reach a user"


def test_serve_says_clearly_when_the_port_is_taken(server):
    port = server.url.rstrip("/").rsplit(":", 1)[1]
    second = touchbase("serve", "--port", port, env=server.env)
    assert second.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in second.stderr
    assert "Traceback" not in second.stderr


def test_serve_stops_cleanly_on_sigterm(server):
    """systemd and Docker stop a service with SIGTERM."""
    process = subprocess.Popen([TOUCHBASE, "serve", "--port", "0"], env=server.env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        url = _wait_for_address(process)
        assert get(url + "login/")[0] == 200
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Stopped." in out
    assert "Traceback" not in err


def _post_a_login_form_through_an_https_proxy(url: str) -> int:
    """What an HTTPS proxy passes on: the browser's https:// Origin, and X-Forwarded-Proto: https."""
    netloc = urlsplit(url).netloc
    connection = http.client.HTTPConnection(netloc, timeout=30)
    proxied = {"X-Forwarded-Proto": "https"}
    connection.request("GET", "/login/", headers=proxied)
    page = connection.getresponse()
    body = page.read().decode()
    cookie = page.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, "username": "nobody@example.com", "password": "wrong"})
    connection.request("POST", "/login/", body=form, headers={
        **proxied, "Cookie": cookie, "Origin": f"https://{netloc}", "Referer": f"https://{netloc}/login/",
        "Content-Type": "application/x-www-form-urlencoded"})
    answer = connection.getresponse()
    answer.read()
    return answer.status


def test_serve_behind_an_https_proxy_accepts_its_form_posts_once_the_proxy_is_trusted(server):
    assert _post_a_login_form_through_an_https_proxy(server.url) == 403, "an untrusted X-Forwarded-Proto is ignored"
    process = subprocess.Popen([TOUCHBASE, "serve", "--port", "0", "--trusted-proxy", "127.0.0.1"], env=server.env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        # 200: the login form again, saying the email or password is wrong (not a CSRF refusal).
        assert _post_a_login_form_through_an_https_proxy(_wait_for_address(process)) == 200
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_the_console_script_creates_a_user(server):
    done = touchbase("createuser", "lee@example.com", "--role", "manager", "--password", PASSWORD, env=server.env)
    assert done.returncode == 0, done.stderr
    db = sqlite3.connect(server.home / "touchbase.sqlite3")
    assert db.execute("SELECT role FROM accounts_user WHERE email = 'lee@example.com'").fetchall() == [("manager",)]


def test_the_console_script_reports_a_bad_role_without_a_traceback(server):
    done = touchbase("createuser", "lee@example.com", "--role", "boss", "--password", PASSWORD, env=server.env)
    assert done.returncode != 0
    assert "invalid choice: 'boss'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_console_script_lists_touchbases_own_commands(server):
    done = touchbase("help", env=server.env)
    assert done.returncode == 0
    for command in ("serve", "backup", "restore", "createuser"):
        assert re.search(rf"^\s+{command}$", done.stdout, re.MULTILINE), f"touchbase help does not list {command}"


def test_touchbase_coach_reads_stdin_and_exits_1_while_an_error_stands(tmp_path):
    touchbase = Path(sys.executable).with_name("touchbase")
    long_email = ("We cut drive time between jobs for field teams like yours. " * 10).strip()
    result = subprocess.run([str(touchbase), "coach", "-", "--subject", "Drive time", "--json"],
                            input=long_email, capture_output=True, text=True, env=environment(tmp_path), timeout=60)
    report = json.loads(result.stdout)
    assert report["countdown"] == 400 - len(long_email)
    assert "length.chars" in {f["rule"] for f in report["findings"]}
    assert result.returncode == 1
