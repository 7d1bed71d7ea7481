"""Mail delivery through a real SMTP server (aiosmtpd on 127.0.0.1): the message and its
headers, header injection, one connection per run, permanent and temporary refusals,
STARTTLS with AUTH, and the config problems that keep mail waiting."""

from __future__ import annotations

from testkit import expect_error

from .delivery_kit import (  # noqa: F401, F811  (fixtures: imported, used as arguments)
    PASSWORD,
    PASSWORD_ENV,
    USERNAME,
    free_port,
    queue,
    rows,
    smtp_server,
    ssl_smtp_server,
    tls_cert,
    tls_smtp_server,
    use_smtp,
    write_config,
)


def test_a_queued_mail_is_delivered_once_with_its_headers(isvc, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server)
    first = queue(isvc_home, kind="reply", subject="[isvc #7] VPN drops", body="Try now.\n",
                  payload={"in_reply_to": "orig.1@example.com",
                           "references": ["orig.0@example.com", "orig.1@example.com"]},
                  message_id="reply.7@example.com")
    result = isvc("notify", "send")
    assert result.stderr == "sent 1, failed 0, waiting 0\n"
    assert result.stdout == ""
    (got,) = smtp_server.received
    assert got.mail_from == "helpdesk@example.com"
    assert got.rcpt_tos == ["ana@example.com"]
    msg = got.message
    assert msg["Subject"] == "[isvc #7] VPN drops"
    assert msg["To"] == "ana@example.com"
    assert msg["From"] == "IT Service Desk <helpdesk@example.com>"
    assert msg["Message-ID"] == "<reply.7@example.com>"
    assert msg["In-Reply-To"] == "<orig.1@example.com>"
    assert msg["References"] == "<orig.0@example.com> <orig.1@example.com>"
    assert msg["Auto-Submitted"] is None
    assert msg["Date"] == "Mon, 23 Nov 2026 09:30:00 +0000"  # the pinned clock
    assert got.text == "Try now.\n"
    row = rows(isvc_home)[first]
    assert (row["status"], row["attempts"], row["sent_at"], row["last_error"]) == (
        "sent", 1, "2026-11-23T09:30:00Z", None)
    # a second run has nothing to do
    assert isvc("notify", "send").stderr == "sent 0, failed 0, waiting 0\n"
    assert len(smtp_server.received) == 1


def test_machine_notices_say_so_and_unicode_survives(isvc, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server)
    write_config(isvc_home, mail={"address": "Birou IT ștefan <helpdesk@example.com>"})
    queue(isvc_home, kind="breached", subject="[isvc #3] Imprimanta nu merge — urgent",
          body="Ținta a fost depășită.\n" + "x" * 1200 + "\n", payload={"auto": True})
    isvc("notify", "send")
    msg = smtp_server.received[0].message
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["Subject"] == "[isvc #3] Imprimanta nu merge — urgent"
    assert msg["From"].addresses[0].display_name == "Birou IT ștefan"
    assert smtp_server.received[0].text == "Ținta a fost depășită.\n" + "x" * 1200 + "\n"
    assert max(len(line) for line in smtp_server.received[0].content.split(b"\r\n")) <= 998


def test_a_mail_queued_without_message_id_gets_one_and_keeps_it(isvc, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server)
    queued = queue(isvc_home, kind="digest", message_id=None)
    isvc("notify", "send")
    stored = rows(isvc_home)[queued]["message_id"]
    assert stored and "<" not in stored and stored.endswith("@example.com")
    assert smtp_server.received[0].message["Message-ID"] == f"<{stored}>"


def test_a_crafted_subject_cannot_add_a_bcc(isvc, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server)
    queue(isvc_home, subject="Hi\r\nBcc: evil@example.com", body="hello\n")
    queue(isvc_home, subject="Hi\nBcc: evil@example.com\r\n\r\nfake body")
    assert isvc("notify", "send").stderr == "sent 2, failed 0, waiting 0\n"
    for got in smtp_server.received:
        assert got.rcpt_tos == ["ana@example.com"]  # the envelope: the one recipient
        msg = got.message
        assert msg["Bcc"] is None
        assert msg.get_all("To") == ["ana@example.com"]
        assert msg["Subject"].startswith("Hi Bcc: evil@example.com")
        assert b"\r\nBcc:" not in got.content and b"\nBcc:" not in got.content
    assert smtp_server.received[1].message["Subject"] == "Hi Bcc: evil@example.com fake body"


def test_a_recipient_that_is_not_one_address_fails_for_good(isvc, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server)
    bad = queue(isvc_home, recipient="ana@example.com\r\nBcc: evil@example.com")
    also = queue(isvc_home, recipient="ana@example.com, evil@example.com")
    good = queue(isvc_home)
    assert isvc("notify", "send").stderr.endswith("sent 1, failed 2, waiting 0\n")
    assert [g.rcpt_tos for g in smtp_server.received] == [["ana@example.com"]]
    state = rows(isvc_home)
    assert state[bad]["status"] == state[also]["status"] == "failed"
    assert "is not a mail address" in state[bad]["last_error"]
    assert state[good]["status"] == "sent"


def test_one_connection_serves_the_whole_run(isvc, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server)
    for n in range(4):
        queue(isvc_home, recipient=f"user{n}@example.com")
    isvc("notify", "send")
    assert [g.rcpt_tos[0] for g in smtp_server.received] == [
        f"user{n}@example.com" for n in range(4)]
    assert len({g.peer for g in smtp_server.received}) == 1


def test_a_permanent_refusal_fails_at_once_and_the_run_goes_on(isvc, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server)
    smtp_server.recorder.refuse["gone@example.com"] = "550 5.1.1 <gone@example.com>: no such user"
    bad = queue(isvc_home, recipient="gone@example.com")
    good = queue(isvc_home, recipient="jim@example.com")
    result = isvc("notify", "send")
    assert result.stderr == (
        f"message {bad} to gone@example.com: recipient gone@example.com refused: "
        "550 5.1.1 <gone@example.com>: no such user (failed for good)\n"
        "sent 1, failed 1, waiting 0\n")
    state = rows(isvc_home)
    assert (state[bad]["status"], state[bad]["attempts"]) == ("failed", 1)
    assert state[bad]["last_error"] == ("recipient gone@example.com refused: "
                                        "550 5.1.1 <gone@example.com>: no such user")
    assert state[good]["status"] == "sent"
    assert [g.rcpt_tos for g in smtp_server.received] == [["jim@example.com"]]


def test_a_temporary_refusal_is_retried_later(isvc, isvc_home, smtp_server, monkeypatch):
    use_smtp(isvc_home, smtp_server)
    smtp_server.recorder.refuse["busy@example.com"] = "451 4.3.0 try again later"
    queued = queue(isvc_home, recipient="busy@example.com")
    result = isvc("notify", "send")
    assert result.stderr == (
        f"message {queued} to busy@example.com: recipient busy@example.com refused: "
        "451 4.3.0 try again later (next attempt 2026-11-23T09:31:00Z)\n"
        "sent 0, failed 1, waiting 1\n")
    row = rows(isvc_home)[queued]
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == (
        "pending", 1, "2026-11-23T09:31:00Z")
    del smtp_server.recorder.refuse["busy@example.com"]
    assert isvc("notify", "send").stderr == "sent 0, failed 0, waiting 1\n"  # not due yet
    monkeypatch.setenv("ISVC_NOW", "2026-11-23T09:31:00Z")
    assert isvc("notify", "send").stderr == "sent 1, failed 0, waiting 0\n"
    assert rows(isvc_home)[queued]["attempts"] == 2


def test_an_unreachable_server_costs_one_attempt_and_the_rest_waits(isvc, isvc_home):
    write_config(isvc_home, smtp={"host": "127.0.0.1", "port": free_port(), "security": "none",
                                  "timeout": 3},
                 mail={"address": "helpdesk@example.com"})
    first, second = queue(isvc_home), queue(isvc_home)
    result = isvc("notify", "send")
    assert "mail paused until the next run: cannot reach 127.0.0.1:" in result.stderr
    assert result.stderr.endswith("sent 0, failed 1, waiting 2\n")
    state = rows(isvc_home)
    assert (state[first]["status"], state[first]["attempts"]) == ("pending", 1)
    assert "Connection refused" in state[first]["last_error"]
    assert (state[second]["status"], state[second]["attempts"]) == ("pending", 0)


def test_without_smtp_host_mail_waits_and_spends_no_attempt(isvc, isvc_home):
    write_config(isvc_home, mail={"address": "helpdesk@example.com"})
    queued = queue(isvc_home)
    queue(isvc_home)
    result = isvc("notify", "send")
    assert result.stderr == (
        "Warning: smtp.host is not set: mail waits in the outbox "
        "(isvc config set smtp.host mail.example.com)\n"
        "sent 0, failed 0, waiting 2\n")
    row = rows(isvc_home)[queued]
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 0, None)


def test_without_mail_address_mail_waits(isvc, isvc_home, smtp_server):
    write_config(isvc_home, smtp={"host": "127.0.0.1", "port": smtp_server.port,
                                  "security": "none"})
    queued = queue(isvc_home)
    result = isvc("notify", "send")
    assert result.stderr.startswith("Warning: mail.address is not set: set mail.address")
    assert result.stderr.endswith("sent 0, failed 0, waiting 1\n")
    assert rows(isvc_home)[queued]["attempts"] == 0
    assert smtp_server.received == []


def test_nothing_to_say_when_nothing_waits_for_smtp(isvc, isvc_home):
    assert isvc("notify", "send").stderr == "sent 0, failed 0, waiting 0\n"


def test_a_password_in_the_config_file_is_refused(isvc, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server, password="hunter2")
    queued = queue(isvc_home)
    expect_error(isvc("notify", "send", code=None), 2,
                 "the config file sets smtp.password; remove it and put the password in the "
                 "environment variable ISVC_SMTP_PASSWORD (named by smtp.password_env)")
    assert smtp_server.received == []
    assert rows(isvc_home)[queued]["attempts"] == 0


def test_starttls_and_auth_with_the_password_from_the_environment(
        isvc, isvc_home, tls_smtp_server, monkeypatch):
    use_smtp(isvc_home, tls_smtp_server, security="starttls", username=USERNAME,
             password_env=PASSWORD_ENV)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    queue(isvc_home)
    queue(isvc_home, recipient="jim@example.com")
    assert isvc("notify", "send").stderr == "sent 2, failed 0, waiting 0\n"
    assert [(g.tls, g.login) for g in tls_smtp_server.received] == [(True, USERNAME)] * 2


def test_implicit_tls(isvc, isvc_home, ssl_smtp_server):
    use_smtp(isvc_home, ssl_smtp_server, security="ssl")
    queue(isvc_home)
    assert isvc("notify", "send").stderr == "sent 1, failed 0, waiting 0\n"
    assert len(ssl_smtp_server.received) == 1


def test_starttls_without_the_password_variable_waits(isvc, isvc_home, tls_smtp_server,
                                                       monkeypatch):
    use_smtp(isvc_home, tls_smtp_server, security="starttls", username=USERNAME,
             password_env=PASSWORD_ENV)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    queued = queue(isvc_home)
    result = isvc("notify", "send")
    assert result.stderr == (
        f"Warning: smtp.username is set but the environment variable {PASSWORD_ENV} "
        "(smtp.password_env) holding its password is empty or unset\n"
        "sent 0, failed 0, waiting 1\n")
    assert rows(isvc_home)[queued]["attempts"] == 0


def test_a_wrong_password_is_a_server_problem_not_the_message(isvc, isvc_home,
                                                               tls_smtp_server, monkeypatch):
    use_smtp(isvc_home, tls_smtp_server, security="starttls", username=USERNAME,
             password_env=PASSWORD_ENV)
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    first, second = queue(isvc_home), queue(isvc_home)
    result = isvc("notify", "send")
    assert f"127.0.0.1 refused the login of {USERNAME}: 535" in result.stderr
    assert result.stderr.endswith("sent 0, failed 1, waiting 2\n")
    state = rows(isvc_home)
    assert (state[first]["status"], state[first]["attempts"]) == ("pending", 1)
    assert state[second]["attempts"] == 0
    assert tls_smtp_server.received == []


def test_plain_smtp_is_refused_by_a_server_that_requires_starttls(isvc, isvc_home,
                                                                  tls_smtp_server):
    use_smtp(isvc_home, tls_smtp_server, security="none")
    queued = queue(isvc_home)
    isvc("notify", "send")
    row = rows(isvc_home)[queued]
    assert row["status"] == "failed" and "530" in row["last_error"]
    assert tls_smtp_server.received == []


def test_starttls_is_required_when_configured(isvc, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server, security="starttls")
    queued = queue(isvc_home)
    result = isvc("notify", "send")
    assert f"127.0.0.1:{smtp_server.port} does not offer STARTTLS" in result.stderr
    assert rows(isvc_home)[queued]["status"] == "pending"
    assert smtp_server.received == []


def test_an_untrusted_certificate_is_not_accepted(isvc, isvc_home, tls_smtp_server,
                                                  monkeypatch, tmp_path):
    use_smtp(isvc_home, tls_smtp_server, security="starttls", username=USERNAME,
             password_env=PASSWORD_ENV)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    empty = tmp_path / "no-ca.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    queued = queue(isvc_home)
    result = isvc("notify", "send")
    assert "TLS with 127.0.0.1" in result.stderr and "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert rows(isvc_home)[queued]["status"] == "pending"
    assert tls_smtp_server.received == []


# -- isvc notify test --to ---------------------------------------------------------------


def test_notify_test_sends_through_the_server_and_prints_its_answer(quick_desk, isvc_home,
                                                                   smtp_server):
    use_smtp(isvc_home, smtp_server)
    result = quick_desk("--as", "boss", "notify", "test", "--to", "jim@example.com")
    assert result.stdout == ""
    assert result.stderr == ("Test message 1 to jim@example.com accepted: "
                             "250 2.0.0 Ok: queued as TEST1\n")
    (got,) = smtp_server.received
    assert got.rcpt_tos == ["jim@example.com"]
    assert got.message["Subject"] == "isvc test notification"
    assert got.message["Auto-Submitted"] == "auto-generated"
    assert "sent by boss" in got.text
    row = rows(isvc_home)[1]
    assert (row["kind"], row["status"]) == ("test", "sent")


def test_notify_test_fails_with_the_reason(quick_desk, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server)
    smtp_server.recorder.refuse["gone@example.com"] = "550 5.1.1 no such user"
    expect_error(quick_desk("--as", "boss", "notify", "test", "--to", "gone@example.com",
                            code=None), 1,
                 "test message 1 not delivered: recipient gone@example.com refused: "
                 "550 5.1.1 no such user")
    assert rows(isvc_home)[1]["status"] == "failed"


def test_notify_test_without_smtp_host_fails_and_is_not_retried(quick_desk, isvc_home):
    write_config(isvc_home, mail={"address": "helpdesk@example.com"})
    expect_error(quick_desk("--as", "boss", "notify", "test", "--to", "jim@example.com",
                            code=None), 1,
                 "test message 1 not delivered: smtp.host is not set: mail waits in the "
                 "outbox (isvc config set smtp.host mail.example.com)")
    assert rows(isvc_home)[1]["status"] == "failed"


def test_notify_test_checks_its_options_and_the_admin(quick_desk, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server)
    expect_error(quick_desk("--as", "boss", "notify", "test", code=None), 2,
                 "give --to ADDRESS or --webhook NAME")
    expect_error(quick_desk("--as", "boss", "notify", "test", "--to", "jim", code=None), 2,
                 "--to 'jim' is not a mail address")
    expect_error(quick_desk("--as", "jim", "notify", "test", "--to", "jim@example.com",
                            code=None), 2,
                 "only an admin (boss) may send test notifications; you are jim")
    expect_error(quick_desk("--as", "boss", "notify", "test", "--webhook", "nope", code=None), 3,
                 "no webhook 'nope'; see `isvc notify webhook list`")
    assert rows(isvc_home) == {}
    assert smtp_server.received == []
