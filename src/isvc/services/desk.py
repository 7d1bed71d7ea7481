"""The desk a command acts on: the open database, who is acting, and when."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from isvc.domain.models import Person, check_handle
from isvc.domain.timeutil import to_iso
from isvc.errors import PermissionDenied
from isvc.store import directory


@dataclass
class Desk:
    conn: sqlite3.Connection
    actor: str
    now: datetime
    config: dict = field(default_factory=dict)
    created_actor: bool = False  # the acting person was added on first use by this command
    queued_notifications: int = 0  # outbox rows this command wrote (send_immediately)

    @property
    def now_iso(self) -> str:
        return to_iso(self.now)

    @property
    def shared(self) -> bool:
        return directory.get_setting(self.conn, "shared_group") is not None

    def admins(self) -> set[str]:
        """Desk admins: the database's list, plus the config's on a personal desk.

        On a shared desk each OS user has their own config file, so only the list kept
        in the database counts there.
        """
        admins = set(directory.get_setting(self.conn, "admins", []))
        if not self.shared:
            admins |= set(self.config.get("admins") or [])
        return admins

    def is_admin(self, handle: str | None = None) -> bool:
        admins = self.admins()
        return not admins or (handle or self.actor) in admins

    def teams_of(self, handle: str | None = None) -> set[str]:
        return directory.teams_of(self.conn, handle or self.actor)

    def ensure_actor(self) -> None:
        """An acting person the desk does not know yet is created on first use (audited).

        Call inside the write transaction of the command that acts.
        """
        person = directory.get_person(self.conn, self.actor)
        if person is not None and not person.active:
            raise PermissionDenied(f"{self.actor} is deactivated; an admin can reactivate them "
                                   f"with `isvc person edit {self.actor} --active`")
        if person is None:
            self.created_actor = True
            directory.insert_person(self.conn, Person(handle=self.actor, name=self.actor), self.now_iso)
            directory.audit(self.conn, self.now_iso, self.actor, "person.auto_create", self.actor,
                            {"reason": "first use"})

    def require_staff(self, what: str) -> None:
        """Desk admins and members of any team: the people who run the desk's service
        (the mail intake log, the quarantine, the outbox hold everyone's messages)."""
        if self.is_admin() or self.teams_of():
            return
        raise PermissionDenied(f"only desk admins and team members may {what}; "
                               f"you are {self.actor}")

    def require_admin(self, what: str) -> None:
        if not self.is_admin():
            admins = ", ".join(sorted(self.admins()))
            raise PermissionDenied(f"only an admin ({admins}) may {what}; you are {self.actor}")


def resolve_actor(conn: sqlite3.Connection, config: dict, flag_as: str | None,
                  env_user: str | None, os_login: str) -> str:
    """--as, then ISVC_USER, then the config's user, then the OS login name.

    On a shared desk the OS login is the identity: --as and ISVC_USER are honoured only
    when the login maps to an admin.
    """
    mapped_login = (config.get("os_users") or {}).get(os_login, os_login)
    explicit = flag_as or env_user
    shared = directory.get_setting(conn, "shared_group") is not None
    if shared:
        login_handle = check_handle(mapped_login, "OS user")
        if explicit and check_handle(explicit, "--as") != login_handle:
            admins = set(directory.get_setting(conn, "admins", []))
            if admins and login_handle not in admins:
                raise PermissionDenied(
                    f"on a shared desk only admins may act as someone else; you are {login_handle}"
                )
            return check_handle(explicit, "--as")
        return login_handle
    chosen = explicit or config.get("user") or mapped_login
    source = "--as" if flag_as else "ISVC_USER" if env_user else "config user" if config.get("user") else "OS user"
    return check_handle(chosen, source)
