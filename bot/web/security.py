"""The web process' secret key, CSRF tokens and login throttling."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from bot.settings import Settings
from knowledge.errors import ConfigError
from knowledge.templates import sentences

text = sentences("web")
MIN_SECRET = 32
CSRF_FIELD = "csrf_token"
MAX_FORM_BYTES = 8 * 1024 * 1024


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secret_key(settings: Settings, host: str, dev: bool) -> str:
    """``PUFA_WEB_SECRET_KEY``; a random one per start only in development on a loopback address.

    ConfigError (Chinese, naming the variable) when missing or short outside that case.
    """
    key = settings.web_secret_key.get_secret_value()
    if key:
        if len(key) < MIN_SECRET:
            raise ConfigError(text("cli.secret_short", length=len(key)))
        return key
    if not dev:
        raise ConfigError(text("cli.secret_missing"))
    if not is_loopback(host):
        raise ConfigError(text("cli.dev_not_loopback", host=host))
    return secrets.token_urlsafe(48)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The posted form, after checking its CSRF token against the session's (403 otherwise)."""
    form = await request.form(max_part_size=MAX_FORM_BYTES)
    sent = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not (isinstance(sent, str) and isinstance(expected, str) and hmac.compare_digest(sent, expected)):
        raise HTTPException(403, text("errors.csrf"))
    return form


class LoginThrottle:
    """At most ``attempts`` failed logins per account name, and ``address_attempts`` per address (an office
    shares one), in ``window_s``; then every login for that name or from that address waits."""

    def __init__(
        self,
        attempts: int = 5,
        address_attempts: int = 20,
        window_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.address_attempts = address_attempts
        self.window_s = window_s
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key) or deque()
        while times and now - times[0] >= self.window_s:
            times.popleft()
        return times

    def wait_s(self, name: str, address: str) -> float:
        """Seconds until a login may be tried for this name from this address (0: now)."""
        now = self._clock()
        with self._lock:
            limits = ((f"name:{name.strip().lower()}", self.attempts), (f"addr:{address}", self.address_attempts))
            waits = [
                self.window_s - (now - times[0])
                for key, limit in limits
                if len(times := self._recent(key, now)) >= limit
            ]
        return max(waits, default=0.0)

    def failed(self, name: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key in (f"name:{name.strip().lower()}", f"addr:{address}"):
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times
                self._failures.move_to_end(key)
            while len(self._failures) > 100_000:
                self._failures.popitem(last=False)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(f"name:{name.strip().lower()}", None)
