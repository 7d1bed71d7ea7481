"""Real servers on 127.0.0.1 for the delivery tests, started and stopped by the tests:
an aiosmtpd SMTP server that records what it accepted (plain, STARTTLS with a
self-signed certificate made by openssl, AUTH) and an HTTP server that records the
webhook POSTs it answers. Plus helpers to write the config and queue outbox rows.

Import the fixtures into a test module (``from .delivery_kit import smtp_server, ...``).
"""

from __future__ import annotations

import email
import email.policy
import http.server
import os
import shutil
import socket
import sqlite3
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PASSWORD_ENV = "ISVC_TEST_SMTP_PASSWORD"
PASSWORD = "s3cret-for-tests"
USERNAME = "desk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- config and outbox rows ------------------------------------------------------------


def write_config(home: Path, **sections) -> Path:
    """Merge ``sections`` ({"smtp": {...}, "mail": {...}}) into $ISVC_HOME/config.toml."""
    import tomllib

    import tomli_w

    path = Path(os.environ.get("ISVC_CONFIG") or home / "config.toml")
    data = tomllib.loads(path.read_text()) if path.exists() else {}
    for name, values in sections.items():
        if isinstance(values, dict):
            data.setdefault(name, {}).update(values)
        else:
            data[name] = values
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(data))
    return path


def connect(home: Path) -> sqlite3.Connection:
    from isvc.store.db import open_db

    return open_db(home / "isvc.db")


def queue(home: Path, *, kind: str = "ack", channel: str = "mail",
          recipient: str = "ana@example.com", subject: str = "[isvc #1] Printer on fire",
          body: str = "We are on it.\n", payload: dict | None = None,
          message_id: str | None = "auto", number: int | None = None,
          now: str | None = None) -> int:
    """One outbox row, as the enqueueing side writes it; returns its id."""
    from isvc.store import outbox
    from isvc.store.db import write

    conn = connect(home)
    try:
        with write(conn):
            count = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
            if message_id == "auto":
                message_id = f"isvc.test.{count + 1}@example.com" if channel == "mail" else None
            return outbox.enqueue(conn, kind=kind, channel=channel, recipient=recipient,
                                  subject=subject, body=body,
                                  now=now or os.environ["ISVC_NOW"], number=number,
                                  payload=payload, message_id=message_id)
    finally:
        conn.close()


def rows(home: Path) -> dict[int, dict]:
    from isvc.store import outbox

    conn = connect(home)
    try:
        return {r["id"]: r for r in outbox.list_rows(conn, limit=10_000)}
    finally:
        conn.close()


def smtp_config(server: SmtpServer, **extra) -> dict:
    cfg = {"host": "127.0.0.1", "port": server.port, "security": "none", "timeout": 5}
    cfg.update(extra)
    return cfg


def use_smtp(home: Path, server: SmtpServer, **extra) -> None:
    write_config(home, smtp=smtp_config(server, **extra),
                 mail={"address": "IT Service Desk <helpdesk@example.com>"})


# -- SMTP ------------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool
    login: str | None
    peer: tuple  # the client's (host, port): one per SMTP connection

    @property
    def message(self):
        return email.message_from_bytes(self.content, policy=email.policy.default)

    @property
    def text(self) -> str:
        return self.message.get_content().replace("\r\n", "\n")


@dataclass
class Recorder:
    """The aiosmtpd handler: records each accepted message; ``refuse`` maps a recipient
    to the reply its RCPT gets (e.g. "550 5.1.1 no such user")."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering DATA (a slow server)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        login = session.auth_data.login.decode() if session.authenticated and session.auth_data else None
        with self.lock:
            self.received.append(Received(
                mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
                content=envelope.original_content or envelope.content,
                tls=server._tls_protocol is not None, login=login,
                peer=tuple(session.peer)))
            n = len(self.received)
        return f"250 2.0.0 Ok: queued as TEST{n}"


@dataclass
class SmtpServer:
    port: int
    recorder: Recorder
    controller: object

    @property
    def received(self) -> list[Received]:
        return self.recorder.received


def _authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USERNAME.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def start_smtp(**server_kwargs) -> SmtpServer:
    from aiosmtpd.controller import Controller

    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, ready_timeout=10,
                            **server_kwargs)
    controller.start()
    return SmtpServer(port=port, recorder=recorder, controller=controller)


@pytest.fixture
def smtp_server():
    """A plain SMTP server (no TLS, no AUTH) on 127.0.0.1."""
    server = start_smtp()
    yield server
    server.controller.stop()


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl); (cert, key)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        if os.environ.get("CI") == "true":
            pytest.fail("openssl is needed for the STARTTLS tests (apt-get install openssl)")
        pytest.skip("openssl is not installed: STARTTLS tests skipped")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
         "-addext", "extendedKeyUsage=serverAuth"],
        check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def tls_smtp_server(tls_cert, monkeypatch):
    """STARTTLS required, AUTH required (only after TLS), the client trusting the
    self-signed certificate through SSL_CERT_FILE."""
    cert, key = tls_cert
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = start_smtp(tls_context=context, require_starttls=True, auth_required=True,
                        auth_require_tls=True, authenticator=_authenticator)
    yield server
    server.controller.stop()


@pytest.fixture
def ssl_smtp_server(tls_cert, monkeypatch):
    """Implicit TLS (smtp.security = "ssl", port 465 style), no AUTH."""
    cert, key = tls_cert
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = start_smtp(ssl_context=context)
    yield server
    server.controller.stop()


# -- HTTP ------------------------------------------------------------------------------


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes


class HttpRecorder:
    """What the webhook receiver answers: ``script`` is a list of statuses used in turn
    (then ``default``); ``delay`` seconds before answering (a slow receiver)."""

    def __init__(self):
        self.hits: list[Hit] = []
        self.script: list[int] = []
        self.default = 200
        self.delay = 0.0
        self.lock = threading.Lock()

    def next_status(self) -> int:
        with self.lock:
            return self.script.pop(0) if self.script else self.default


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        rec: HttpRecorder = self.server.recorder  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with rec.lock:
            rec.hits.append(Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        status = rec.next_status()
        if rec.delay:
            time.sleep(rec.delay)
        answer = b"ok" if status < 300 else b"nope"
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except OSError:
            pass  # the client gave up (timeout)

    def log_message(self, *args):
        pass


@dataclass
class HttpServer:
    server: http.server.ThreadingHTTPServer
    recorder: HttpRecorder

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    @property
    def hits(self) -> list[Hit]:
        return self.recorder.hits


@pytest.fixture
def http_server(monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.recorder = HttpRecorder()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield HttpServer(server, server.recorder)  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()
    thread.join(5)
