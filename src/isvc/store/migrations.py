"""The schema, as ordered migrations: one function per step, never edited once released.

``migrate`` runs every pending step inside one BEGIN IMMEDIATE transaction, so three
processes opening an old file at once apply each step exactly once: the first takes the
write lock, the others wait, then find nothing pending. ``PRAGMA user_version`` mirrors
the number of applied steps so that opening a current file needs no sqlite_utils.
"""

from __future__ import annotations

import sqlite3

from isvc.domain.models import OPEN_SQL
from isvc.store.db import SCHEMA_VERSION, write


def _migrations():
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("isvc")

    @migrations(name="0001_foundation")
    def foundation(db):
        _run_script(db.conn, FOUNDATION_SQL)

    @migrations(name="0002_agreements")
    def agreements(db):
        _run_script(db.conn, AGREEMENTS_SQL)

    @migrations(name="0003_kudos_and_ratings")
    def kudos_and_ratings(db):
        _run_script(db.conn, KUDOS_SQL)

    @migrations(name="0004_mail_and_outbox")
    def mail_and_outbox(db):
        _run_script(db.conn, MAIL_SQL)

    @migrations(name="0005_catalog_and_knowledge")
    def catalog_and_knowledge(db):
        _run_script(db.conn, CATALOG_SQL)

    return migrations


FOUNDATION_SQL = f"""
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL               -- JSON
);
CREATE TABLE teams (
    handle TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    calendar TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE people (
    handle TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT COLLATE NOCASE UNIQUE,
    primary_team TEXT REFERENCES teams(handle),
    active INTEGER NOT NULL DEFAULT 1,
    leaderboard INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE memberships (
    person TEXT NOT NULL REFERENCES people(handle),
    team TEXT NOT NULL REFERENCES teams(handle),
    PRIMARY KEY (person, team)
) WITHOUT ROWID;
CREATE INDEX memberships_team ON memberships(team, person);

CREATE TABLE requests (
    number INTEGER PRIMARY KEY AUTOINCREMENT,   -- AUTOINCREMENT: never reused
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,             -- 0 urgent .. 3 low, for index order
    team TEXT NOT NULL REFERENCES teams(handle),
    type TEXT,
    requester TEXT NOT NULL REFERENCES people(handle),
    assignee TEXT REFERENCES people(handle),
    fields TEXT NOT NULL DEFAULT '{{}}',         -- JSON object
    channel TEXT NOT NULL DEFAULT 'cli',
    waiting_on TEXT,                            -- 'requester' or a request number
    dedupe_key TEXT UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    first_response_at TEXT,
    resolved_at TEXT,
    closed_at TEXT,
    agreement TEXT
);
-- Open requests are a few thousand of a million: partial indexes keep the queue and
-- its footer counts off the history.
CREATE INDEX requests_open_queue ON requests(team, priority_rank, created_at)
    WHERE status IN {OPEN_SQL};
CREATE INDEX requests_open_status ON requests(team, status)
    WHERE status IN {OPEN_SQL};
CREATE INDEX requests_open_assignee ON requests(assignee, priority_rank, created_at)
    WHERE status IN {OPEN_SQL};
CREATE INDEX requests_team_created ON requests(team, created_at);
CREATE INDEX requests_requester_created ON requests(requester, created_at);
CREATE INDEX requests_assignee_created ON requests(assignee, created_at);
CREATE INDEX requests_created ON requests(created_at);
CREATE INDEX requests_status ON requests(status, number);

CREATE TABLE request_tags (
    number INTEGER NOT NULL REFERENCES requests(number),
    tag TEXT NOT NULL,
    PRIMARY KEY (number, tag)
) WITHOUT ROWID;
CREATE INDEX request_tags_tag ON request_tags(tag, number);

CREATE TABLE watchers (
    number INTEGER NOT NULL REFERENCES requests(number),
    person TEXT NOT NULL REFERENCES people(handle),
    PRIMARY KEY (number, person)
) WITHOUT ROWID;
CREATE INDEX watchers_person ON watchers(person, number);

-- The journal: append-only, enforced by the database itself.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number INTEGER NOT NULL REFERENCES requests(number),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    field TEXT,
    from_value TEXT,
    to_value TEXT,
    message TEXT,
    internal INTEGER NOT NULL DEFAULT 0,
    redacted_by TEXT,
    redacted_reason TEXT
);
CREATE INDEX events_number ON events(number, id);
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
-- The one sanctioned change: a redaction replaces the text, once, and says who and why.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NOT (
    OLD.redacted_by IS NULL AND NEW.redacted_by IS NOT NULL
    AND NEW.redacted_reason IS NOT NULL
    AND NEW.id = OLD.id AND NEW.number = OLD.number AND NEW.at = OLD.at
    AND NEW.actor = OLD.actor AND NEW.kind = OLD.kind AND NEW.internal = OLD.internal
    AND NEW.field IS OLD.field AND NEW.from_value IS OLD.from_value
    AND NEW.to_value IS OLD.to_value
    AND NEW.message = '[redacted by ' || NEW.redacted_by || ': ' || NEW.redacted_reason || ']'
)
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

-- Waiting periods: they pause the resolution clock.
CREATE TABLE waits (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL REFERENCES requests(number),
    started_at TEXT NOT NULL,
    ended_at TEXT,
    on_request INTEGER REFERENCES requests(number),
    reason TEXT
);
CREATE INDEX waits_number ON waits(number, started_at);

CREATE TABLE links (
    src INTEGER NOT NULL REFERENCES requests(number),
    dst INTEGER NOT NULL REFERENCES requests(number),
    kind TEXT NOT NULL,                 -- follow_up, blocks, relates, duplicate_of
    created_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    PRIMARY KEY (src, dst, kind)
) WITHOUT ROWID;
CREATE INDEX links_dst ON links(dst, kind);

-- Who changed teams, people and settings: append-only like the journal.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


AGREEMENTS_SQL = f"""
CREATE TABLE calendars (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL,          -- JSON: the TOML calendar format
    holiday_names TEXT NOT NULL DEFAULT '{{}}',  -- JSON: date -> name
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE agreements (
    name TEXT PRIMARY KEY,
    provider TEXT NOT NULL REFERENCES teams(handle),
    customer TEXT REFERENCES teams(handle),     -- NULL: every customer (the provider's default)
    calendar TEXT NOT NULL REFERENCES calendars(name),
    response TEXT NOT NULL,            -- JSON: priority -> business minutes
    resolution TEXT NOT NULL,          -- JSON: priority -> business minutes
    at_risk_percent INTEGER NOT NULL DEFAULT 80,
    notify TEXT NOT NULL DEFAULT '[]', -- JSON: person or +team handles
    oncall_calendar TEXT REFERENCES calendars(name),
    oncall TEXT,                       -- person or +team for urgent requests out of hours
    pause_first_response INTEGER NOT NULL DEFAULT 0,
    description TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Two active agreements of equal specificity for the same provider would be ambiguous.
CREATE UNIQUE INDEX agreements_scope ON agreements(provider, coalesce(customer, '*'))
    WHERE active = 1;

ALTER TABLE waits ADD COLUMN kind TEXT NOT NULL DEFAULT 'requester';  -- requester, request, reopen

-- Each request's clocks, stored so that queries sort and filter by them with an index.
-- fr_* is the first-response clock, res_* the resolution clock; *_met is the verdict
-- once stopped, *_elapsed its business minutes; next_* is the earliest running clock.
ALTER TABLE requests ADD COLUMN sla_calendar TEXT;
ALTER TABLE requests ADD COLUMN at_risk_percent INTEGER;
ALTER TABLE requests ADD COLUMN fr_target INTEGER;
ALTER TABLE requests ADD COLUMN fr_due_at TEXT;
ALTER TABLE requests ADD COLUMN fr_risk_at TEXT;
ALTER TABLE requests ADD COLUMN fr_breached_at TEXT;
ALTER TABLE requests ADD COLUMN fr_met INTEGER;
ALTER TABLE requests ADD COLUMN fr_elapsed INTEGER;
ALTER TABLE requests ADD COLUMN res_target INTEGER;
ALTER TABLE requests ADD COLUMN res_due_at TEXT;
ALTER TABLE requests ADD COLUMN res_risk_at TEXT;
ALTER TABLE requests ADD COLUMN res_breached_at TEXT;
ALTER TABLE requests ADD COLUMN res_met INTEGER;
ALTER TABLE requests ADD COLUMN res_elapsed INTEGER;
ALTER TABLE requests ADD COLUMN next_due_at TEXT;
ALTER TABLE requests ADD COLUMN next_risk_at TEXT;
CREATE INDEX requests_open_due ON requests(team, next_due_at) WHERE status IN {OPEN_SQL};
CREATE INDEX requests_open_risk ON requests(next_risk_at) WHERE status IN {OPEN_SQL};
CREATE INDEX requests_open_agreement ON requests(agreement) WHERE status IN {OPEN_SQL};
CREATE INDEX requests_agreement_responded ON requests(agreement, first_response_at);
CREATE INDEX requests_agreement_resolved ON requests(agreement, resolved_at);
"""


KUDOS_SQL = """
-- Thanks from one colleague to a person or a team; retracted ones are kept, marked.
CREATE TABLE kudos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    giver TEXT NOT NULL REFERENCES people(handle),
    recipient TEXT NOT NULL,           -- a person's or a team's handle (see to_kind)
    to_kind TEXT NOT NULL CHECK (to_kind IN ('person', 'team')),
    message TEXT NOT NULL,
    value TEXT,                        -- one of the configured company values
    request INTEGER REFERENCES requests(number),
    lateral INTEGER NOT NULL DEFAULT 0,  -- help across teams, counted separately
    private INTEGER NOT NULL DEFAULT 0,  -- only giver and receiver see it
    giver_team TEXT,                   -- primary teams when given, for reports
    recipient_team TEXT,
    created_at TEXT NOT NULL,
    retracted_at TEXT,
    retracted_by TEXT
);
CREATE INDEX kudos_created ON kudos(created_at);
CREATE INDEX kudos_giver ON kudos(giver, created_at);
CREATE INDEX kudos_recipient ON kudos(to_kind, recipient, created_at);
CREATE INDEX kudos_request ON kudos(request);

-- Satisfaction both ways: the requester rates the service, the provider rates the
-- request ("was everything needed there up front?"). Rating again replaces the score;
-- both are journaled on the request.
CREATE TABLE ratings (
    number INTEGER NOT NULL REFERENCES requests(number),
    side TEXT NOT NULL CHECK (side IN ('requester', 'provider')),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT,
    rater TEXT NOT NULL REFERENCES people(handle),
    rated_at TEXT NOT NULL,
    PRIMARY KEY (number, side)
) WITHOUT ROWID;
CREATE INDEX ratings_side_rated ON ratings(side, rated_at);
"""


MAIL_SQL = """
-- Every message the intake saw, raw bytes kept (zlib) with what it became: nothing lost.
-- fingerprint: SHA-256 of the message without transport headers (Received, ...), so the
-- same message delivered twice is found; two messages sharing a Message-ID are both kept.
CREATE TABLE mail_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL UNIQUE,
    message_id TEXT,                   -- without <>, as sent
    received_at TEXT NOT NULL,
    sender TEXT,                       -- the From address, lower-cased
    subject TEXT,                      -- decoded
    size INTEGER NOT NULL,
    raw BLOB NOT NULL,                 -- zlib-compressed original bytes
    outcome TEXT NOT NULL,             -- request, reply, note, bounce, quarantined, held
    reason TEXT,                       -- why quarantined or held; what was noted
    number INTEGER REFERENCES requests(number),
    event_id INTEGER REFERENCES events(id),
    source TEXT,                       -- file, mbox or maildir it came from
    updated_at TEXT NOT NULL
);
CREATE INDEX mail_messages_message_id ON mail_messages(message_id);
CREATE INDEX mail_messages_outcome ON mail_messages(outcome, id);
CREATE INDEX mail_messages_number ON mail_messages(number);

-- Files that came with a message (or a command), kept beside the database under
-- generated names; the original name is metadata only, never a path.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number INTEGER NOT NULL REFERENCES requests(number),
    event_id INTEGER REFERENCES events(id),
    mail_id INTEGER REFERENCES mail_messages(id),
    filename TEXT NOT NULL,            -- as the sender named it, for display and saving
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    stored_name TEXT,                  -- relative path under the attachments folder;
                                       -- NULL when over the size limit (kept in the raw mail)
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_number ON attachments(number, id);

-- Notifications, written in the transaction of the change that caused them and
-- delivered later by `isvc notify send` (at least once; marked sent only once accepted).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,                -- ack, reply, resolved, at_risk, breached, oncall,
                                       -- reminder, digest, test
    channel TEXT NOT NULL CHECK (channel IN ('mail', 'webhook')),
    recipient TEXT NOT NULL,           -- an address, or a webhook's name
    person TEXT,                       -- the handle the address belongs to
    number INTEGER REFERENCES requests(number),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    payload TEXT,                      -- JSON: webhook body extras, thread headers
    message_id TEXT UNIQUE,            -- of the mail sent, so replies thread back
    dedupe_key TEXT UNIQUE,            -- e.g. one breach notice per clock and recipient
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_at TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_status ON outbox(status, id);
CREATE INDEX outbox_number ON outbox(number, id);

-- The last risk state each running clock was announced in: at-risk and breach notices
-- fire once per change, however often `sla check --notify` runs.
CREATE TABLE sla_notices (
    number INTEGER NOT NULL REFERENCES requests(number),
    clock TEXT NOT NULL,               -- first_response, resolution
    state TEXT NOT NULL,               -- at_risk, breached
    due_at TEXT,                       -- the due time announced (a new target re-arms)
    noticed_at TEXT NOT NULL,
    PRIMARY KEY (number, clock)
) WITHOUT ROWID;
"""


CATALOG_SQL = """
-- The request catalog: what a team's requests of each type must carry up front.
CREATE TABLE request_types (
    key TEXT PRIMARY KEY,              -- team/name, e.g. purchasing/purchase-order
    team TEXT NOT NULL REFERENCES teams(handle),
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    priority TEXT,                     -- the default priority of this type (NULL: the desk's)
    fields TEXT NOT NULL DEFAULT '[]', -- JSON: [{name, kind, required, choices, label}]
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX request_types_team ON request_types(team, active);
CREATE INDEX requests_type_created ON requests(type, created_at);

-- The knowledge base: articles, every earlier version kept, searched with FTS5.
CREATE TABLE kb_articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,                -- Markdown
    team TEXT REFERENCES teams(handle),
    tags TEXT NOT NULL DEFAULT '',     -- space-separated, searched with the text
    version INTEGER NOT NULL DEFAULT 1,
    active INTEGER NOT NULL DEFAULT 1,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE kb_versions (
    article INTEGER NOT NULL REFERENCES kb_articles(id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    team TEXT,
    tags TEXT NOT NULL DEFAULT '',
    editor TEXT NOT NULL,
    edited_at TEXT NOT NULL,
    PRIMARY KEY (article, version)
) WITHOUT ROWID;
-- porter over unicode61 without diacritics: "résumé" finds "resume", "passwords" finds
-- "password". An external-content table: the text lives once, in kb_articles.
CREATE VIRTUAL TABLE kb_fts USING fts5(
    title, body, tags, content='kb_articles', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER kb_articles_ai AFTER INSERT ON kb_articles BEGIN
    INSERT INTO kb_fts(rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags);
END;
CREATE TRIGGER kb_articles_ad AFTER DELETE ON kb_articles BEGIN
    INSERT INTO kb_fts(kb_fts, rowid, title, body, tags)
        VALUES ('delete', old.id, old.title, old.body, old.tags);
END;
CREATE TRIGGER kb_articles_au AFTER UPDATE ON kb_articles BEGIN
    INSERT INTO kb_fts(kb_fts, rowid, title, body, tags)
        VALUES ('delete', old.id, old.title, old.body, old.tags);
    INSERT INTO kb_fts(rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags);
END;
-- What happened with each article: viewed, suggested when filing, answered the question
-- (a deflected request: nothing filed), linked as the solution of a request.
CREATE TABLE kb_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article INTEGER REFERENCES kb_articles(id),
    kind TEXT NOT NULL CHECK (kind IN ('view', 'suggested', 'deflected', 'linked')),
    number INTEGER REFERENCES requests(number),
    person TEXT,
    query TEXT,                        -- the title searched, for a deflection
    at TEXT NOT NULL
);
CREATE INDEX kb_events_article ON kb_events(article, kind);
CREATE INDEX kb_events_kind_at ON kb_events(kind, at);

-- Canned replies: texts with placeholders; the built-in defaults are code, these are the
-- desk's own (and its edits of a default, under the same name).
CREATE TABLE canned_replies (
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    description TEXT,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would COMMIT the enclosing
    BEGIN IMMEDIATE and break the exactly-once guarantee."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        conn.execute(statement)


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations exactly once; returns the names applied by this call."""
    from sqlite_utils import Database

    migrations = _migrations()
    db = Database(conn)
    with write(conn):  # BEGIN IMMEDIATE: the first process migrates, the others wait
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return pending


def registered_names() -> list[str]:
    return [m.name for m in _migrations()._migrations]
