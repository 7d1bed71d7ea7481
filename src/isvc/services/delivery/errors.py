"""How a delivery attempt can fail, as the sender loop needs to know it."""

from __future__ import annotations


class DeliveryError(Exception):
    """One message was not accepted.

    ``permanent``: retrying cannot help (SMTP 5xx, HTTP 4xx other than 408/429): the
    message fails for good at once. ``connection``: the server could not be reached or
    refused the session (not this message's fault): this message is retried on the
    schedule and the run sends no more on that channel.
    """

    def __init__(self, message: str, *, permanent: bool = False, connection: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.connection = connection


class Blocked(Exception):
    """A channel cannot send at all until someone fixes the config (smtp.host unset...):
    its messages stay pending and spend no attempt."""
