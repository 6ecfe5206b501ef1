"""Sign-in and editing rights: who may change the curated data from the app (issue #11).

Viewing never needs a sign-in. Editing is off unless ``config.yaml`` ``editing.enabled``
(or the ``DASHBOARD_EDITING`` environment variable) turns it on; a server with editing off
refuses every write. Who is an editor:

- **Identity provider** (OIDC): ``.streamlit/secrets.toml`` has an ``[auth]`` section that
  ``st.login()`` can use. The signed-in user's e-mail must be on the allow-list
  ``[editing] editors = ["a@b.vn", …]`` in the same file (case-insensitive, exact); a
  provider that says ``email_verified = false`` is refused.
- **Local accounts** otherwise: ``python -m dashboard add-editor NAME`` stores an argon2id
  hash (never the password) in ``editing.accounts_file`` (TOML, ``[editors.NAME]
  hash = "…"``, mode 0600). Failed sign-ins are counted per account name for the whole
  server process (every session, one lock): after ``lockout.free_attempts`` failures the
  next attempt waits ``base_seconds * 2**k`` seconds, at most ``max_seconds``; unknown
  names are counted the same way and cost the same hashing time. Success resets the count.

The pure functions (accounts, throttle, verification, allow-list) take everything as
arguments. The Streamlit helpers read ``st.session_state``, ``st.user`` and ``st.secrets``
unless given ``state=``, ``user=`` or ``secrets=`` (unit tests). :func:`editor_right` is
the callable the store calls at the moment of writing: it re-reads the configuration and
re-checks the session's editor each time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .config import Config, EditingSettings, LockoutSettings
from .i18n import t

#: environment variable overriding ``editing.enabled`` (``1/true/yes/on`` or ``0/false/no/off``;
#: anything else counts as off)
ENV_VAR = "DASHBOARD_EDITING"
_ON = frozenset({"1", "true", "yes", "on"})
#: a login name: lower-case ASCII letters, digits and ``. _ -``, 2-32 characters
NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
#: ``st.session_state`` key of the signed-in local editor
SESSION_KEY = "_auth_editor"
#: the keys a provider section needs for ``st.login`` (``[auth]`` or ``[auth.NAME]``)
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
_FILE_HEADER = (
    "# Editor accounts of the dashboard: argon2id hashes only, never passwords.\n"
    "# Managed with `python -m dashboard add-editor NAME` / `remove-editor NAME`; not committed.\n"
)

#: argon2id with the library's recommended parameters (tests may swap in cheaper ones)
HASHER = PasswordHasher()
#: at most this many hash computations at once (each takes tens of MB for a moment)
_HASH_SLOTS = threading.BoundedSemaphore(2)


# ---------------------------------------------------------------------------- errors


class AuthError(Exception):
    """A refusal with a message for staff: ``message(lang)`` is ``t(key, lang, **params)``."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params

    def message(self, lang: str = "vi") -> str:
        return t(self.key, lang, **self.params)


class Throttled(AuthError):
    """Too many failed sign-ins to this account: try again after ``wait_seconds``."""

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = float(wait_seconds)
        super().__init__("auth.throttled", seconds=max(1, math.ceil(self.wait_seconds)))


class BadCredentials(AuthError):
    """Unknown name or wrong password (never says which)."""

    def __init__(self) -> None:
        super().__init__("auth.bad_credentials")


class AccountsError(AuthError):
    """The accounts file cannot be read or written, or a name/password is not acceptable."""


@dataclass(frozen=True)
class Editor:
    """A signed-in editor: ``id`` is ``local:NAME`` or ``oidc:EMAIL`` (lower case)."""

    id: str
    name: str
    method: Literal["local", "oidc"]


# ------------------------------------------------------------------- configuration


_fresh_cache: dict[Path, tuple[tuple[int, int], EditingSettings]] = {}
_fresh_lock = threading.Lock()


def editing_settings(cfg: Config) -> EditingSettings:
    """``cfg``'s ``editing`` section as the file says *now*.

    A configuration read from a file (:func:`dashboard.config.load_config`) is re-read
    when the file changed (size or modification time), so a server whose ``config.yaml``
    turns editing off refuses writes without a restart. When the file is gone or its
    ``editing`` section is invalid, editing counts as off.
    """
    source = cfg.source_path
    if source is None:
        return cfg.editing
    closed = cfg.editing.model_copy(update={"enabled": False})
    try:
        st_ = source.stat()
    except OSError:
        return closed
    stamp = (st_.st_mtime_ns, st_.st_size)
    with _fresh_lock:
        hit = _fresh_cache.get(source)
        if hit and hit[0] == stamp:
            return hit[1]
    try:
        with open(source, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh) or {}
        settings = EditingSettings.model_validate(raw.get("editing") or {})
    except Exception:  # noqa: BLE001 - an unreadable config never grants a right
        return closed
    with _fresh_lock:
        _fresh_cache[source] = (stamp, settings)
    return settings


def editing_enabled(cfg: Config, *, environ: Mapping[str, str] | None = None) -> bool:
    """Whether this server lets editors write: ``DASHBOARD_EDITING`` when set, else the
    current ``editing.enabled`` of ``config.yaml`` (re-read, see :func:`editing_settings`)."""
    env = (os.environ if environ is None else environ).get(ENV_VAR, "").strip().lower()
    if env:
        return env in _ON
    return editing_settings(cfg).enabled


# ------------------------------------------------------------------------ accounts


def normalise_name(name: object) -> str:
    """The login as stored: surrounding blanks dropped, lower case."""
    return str(name or "").strip().lower()


def valid_name(name: str) -> bool:
    return bool(NAME_RE.fullmatch(name))


def load_accounts(path: Path | str) -> dict[str, str]:
    """``{name: argon2id hash}`` from the accounts file; ``{}`` when there is no file.

    Raises :class:`AccountsError` when the file cannot be read or an entry is not a
    valid name with an argon2id hash (a damaged file grants nothing).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as err:
        raise AccountsError("auth.accounts_unreadable", path=str(path), detail=err.strerror or type(err).__name__)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise AccountsError("auth.accounts_unreadable", path=str(path), detail=" ".join(str(err).split())[:200])
    editors = data.get("editors", {})
    if not isinstance(editors, dict):
        raise AccountsError("auth.accounts_invalid", path=str(path), entry="editors")
    accounts: dict[str, str] = {}
    for name, entry in editors.items():
        hashed = entry.get("hash") if isinstance(entry, dict) else None
        if not valid_name(name) or not isinstance(hashed, str) or not hashed.startswith("$argon2id$"):
            raise AccountsError("auth.accounts_invalid", path=str(path), entry=f"editors.{name}")
        accounts[name] = hashed
    return accounts


def _write_accounts(path: Path, accounts: Mapping[str, str]) -> None:
    """Write the accounts file atomically (temporary file in the same folder, then rename),
    readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # names match NAME_RE and hashes are argon2 strings: JSON quoting is valid TOML here
    body = "".join(f"\n[editors.{json.dumps(name)}]\nhash = {json.dumps(accounts[name])}\n"
                   for name in sorted(accounts))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(_FILE_HEADER + body)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    with suppress(OSError, AttributeError):  # make the rename durable (POSIX)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def check_new_password(password: str) -> None:
    """Raise :class:`AccountsError` unless ``password`` is an acceptable new password."""
    if len(password) < MIN_PASSWORD:
        raise AccountsError("auth.cli.too_short", min=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise AccountsError("auth.cli.too_long", max=MAX_PASSWORD)


def add_editor(path: Path | str, name: str, password: str, *, replace: bool = False) -> bool:
    """Add the local editor ``name`` (or, with ``replace``, set a new password).

    Stores only an argon2id hash. Returns ``True`` when an existing account's password was
    replaced, ``False`` for a new account. Raises :class:`AccountsError` for an invalid
    name, a password shorter than ``MIN_PASSWORD``, an existing name without ``replace``,
    or an unreadable accounts file (which is then left untouched).
    """
    path = Path(path)
    name = normalise_name(name)
    if not valid_name(name):
        raise AccountsError("auth.cli.bad_name", name=name)
    check_new_password(password)
    accounts = load_accounts(path)
    existed = name in accounts
    if existed and not replace:
        raise AccountsError("auth.cli.exists", name=name)
    with _HASH_SLOTS:
        accounts[name] = HASHER.hash(password)
    _write_accounts(path, accounts)
    return existed


def remove_editor(path: Path | str, name: str) -> None:
    """Remove the local editor ``name``; :class:`AccountsError` when there is none."""
    path = Path(path)
    name = normalise_name(name)
    accounts = load_accounts(path)
    if name not in accounts:
        raise AccountsError("auth.cli.not_found", name=name, path=str(path))
    del accounts[name]
    _write_accounts(path, accounts)


# ------------------------------------------------------------------------ throttle


@dataclass
class _Failures:
    count: int
    last: float  # clock reading of the latest counted attempt


#: failed (and in-flight) sign-ins per account name, for the whole process
_FAILURES: dict[str, _Failures] = {}
_FAILURES_LOCK = threading.Lock()
#: names tracked at most; beyond, entries whose delay has long passed are forgotten first
_MAX_TRACKED = 10_000
_dummy_hashes: dict[tuple, str] = {}


def lockout_delay(failures: int, lockout: LockoutSettings) -> float:
    """Seconds the next attempt waits after ``failures`` failures in a row."""
    if failures < lockout.free_attempts:
        return 0.0
    k = min(failures - lockout.free_attempts, 64)
    return float(min(lockout.base_seconds * 2.0 ** k, lockout.max_seconds))


def _throttle_key(name: str) -> str:
    return normalise_name(name)[:64]


def throttle_wait(name: str, *, now: float | None = None, lockout: LockoutSettings | None = None) -> float:
    """Seconds until ``name`` may try again (0 when it may now)."""
    lockout = lockout or LockoutSettings()
    now = time.monotonic() if now is None else now
    with _FAILURES_LOCK:
        rec = _FAILURES.get(_throttle_key(name))
        return _wait(rec, now, lockout)


def _wait(rec: Optional[_Failures], now: float, lockout: LockoutSettings) -> float:
    if rec is None:
        return 0.0
    return max(0.0, rec.last + lockout_delay(rec.count, lockout) - now)


def _count_attempt(key: str, now: float, lockout: LockoutSettings) -> None:
    """Refuse when ``key`` must wait; otherwise count the attempt as a failure until it
    succeeds (so parallel attempts cannot slip past the limit). Caller holds the lock."""
    rec = _FAILURES.get(key)
    wait = _wait(rec, now, lockout)
    if wait > 0:
        raise Throttled(wait)
    if rec is None:
        if len(_FAILURES) >= _MAX_TRACKED:
            _prune(now, lockout)
        _FAILURES[key] = _Failures(1, now)
    else:
        rec.count += 1
        rec.last = now


def _prune(now: float, lockout: LockoutSettings) -> None:
    stale = [k for k, r in _FAILURES.items() if now - r.last > lockout.max_seconds + lockout_delay(r.count, lockout)]
    for k in stale:
        del _FAILURES[k]
    while len(_FAILURES) >= _MAX_TRACKED:
        del _FAILURES[min(_FAILURES, key=lambda k: _FAILURES[k].last)]


def reset_throttle() -> None:
    """Forget every counted failure (tests; a server restart does the same)."""
    with _FAILURES_LOCK:
        _FAILURES.clear()


def _dummy_hash() -> str:
    """A hash of a random secret with the current parameters: unknown names are verified
    against it so that they take as long as known ones."""
    params = (HASHER.time_cost, HASHER.memory_cost, HASHER.parallelism, HASHER.hash_len, HASHER.salt_len)
    if params not in _dummy_hashes:
        _dummy_hashes[params] = HASHER.hash(os.urandom(24).hex())
    return _dummy_hashes[params]


def _verify(path: Path | str, name: str, password: str, now: float | None,
            lockout: LockoutSettings | None) -> Optional[str]:
    """The stored hash when ``name``/``password`` is right, else ``None``; raises
    :class:`Throttled` while the account must wait, :class:`AccountsError` for a damaged
    accounts file (that attempt is not counted)."""
    lockout = lockout or LockoutSettings()
    now = time.monotonic() if now is None else now
    key = _throttle_key(name)
    with _FAILURES_LOCK:
        _count_attempt(key, now, lockout)
    try:
        accounts = load_accounts(path)
    except AccountsError:
        with _FAILURES_LOCK:
            rec = _FAILURES.get(key)
            if rec is not None:
                rec.count -= 1
                if rec.count <= 0:
                    del _FAILURES[key]
        raise
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return None
    stored = accounts.get(normalise_name(name))
    with _HASH_SLOTS:
        try:
            HASHER.verify(stored or _dummy_hash(), password)
            ok = stored is not None
        except (VerificationError, InvalidHashError):
            ok = False
    if not ok:
        return None
    with _FAILURES_LOCK:
        _FAILURES.pop(key, None)
    return stored


def verify_local(path: Path | str, name: str, password: str, *, now: float | None = None,
                 lockout: LockoutSettings | None = None) -> bool:
    """Check a local sign-in, with the server-wide growing delay (no Streamlit).

    ``now`` is a clock reading in seconds (default ``time.monotonic()``; tests pass a
    fake clock). Returns whether ``name``/``password`` is right; raises :class:`Throttled`
    while the account must wait. Every failed attempt counts, for unknown names too.
    """
    return _verify(path, name, password, now, lockout) is not None


# -------------------------------------------------------------- identity provider


def _secrets(secrets: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if secrets is not None:
        return secrets
    import streamlit as st

    try:
        return {key: st.secrets[key] for key in ("auth", "editing") if key in st.secrets}
    except Exception:  # noqa: BLE001 - no or broken secrets.toml: nothing configured
        return {}


def oidc_providers(secrets: Mapping[str, Any] | None = None) -> list[str]:
    """The providers ``st.login`` can use: ``"default"`` (settings directly under
    ``[auth]``, ``st.login()``) and/or the names of ``[auth.NAME]`` sections."""
    auth = _secrets(secrets).get("auth")
    if not isinstance(auth, Mapping) or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return []
    found = []
    if all(auth.get(k) for k in _PROVIDER_KEYS):
        found.append("default")
    for name, section in auth.items():
        if (isinstance(section, Mapping) and "_" not in name and name not in found
                and all(section.get(k) for k in _PROVIDER_KEYS)):
            found.append(name)
    return found


def oidc_configured(secrets: Mapping[str, Any] | None = None) -> bool:
    """Whether secrets have an ``[auth]`` section ``st.login`` can use."""
    return bool(oidc_providers(secrets))


def allowed_emails(secrets: Mapping[str, Any] | None = None) -> frozenset[str]:
    """The allow-list ``[editing] editors`` of secrets, lower case."""
    section = _secrets(secrets).get("editing")
    editors = section.get("editors") if isinstance(section, Mapping) else None
    if isinstance(editors, str) or not isinstance(editors, Iterable):
        return frozenset()
    return frozenset(e.strip().lower() for e in editors if isinstance(e, str) and "@" in e)


def _verified(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def oidc_refusal(user: Mapping[str, Any], allow: Iterable[str]) -> Optional[AuthError]:
    """Why a signed-in identity may not edit (``None`` when it may, or is not signed in)."""
    if user.get("is_logged_in") is not True:
        return None
    email = user.get("email")
    shown = email if isinstance(email, str) else ""
    if "email_verified" in user and not _verified(user.get("email_verified")):
        return AuthError("auth.email_unverified", email=shown)
    if not shown or shown.strip().lower() not in {a.strip().lower() for a in allow}:
        return AuthError("auth.not_allowed", email=shown)
    return None


def oidc_editor(user: Mapping[str, Any], allow: Iterable[str]) -> Optional[Editor]:
    """The editor of a signed-in identity whose e-mail is on ``allow`` (pure)."""
    if user.get("is_logged_in") is not True or oidc_refusal(user, allow) is not None:
        return None
    email = str(user["email"]).strip().lower()
    name = user.get("name")
    return Editor(id=f"oidc:{email}", name=name if isinstance(name, str) and name.strip() else email, method="oidc")


def _user(user: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if user is not None:
        return user
    import streamlit as st

    try:
        return st.user.to_dict()
    except Exception:  # noqa: BLE001 - outside a script run: nobody
        return {}


def _state(state: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
    if state is not None:
        return state
    import streamlit as st

    return st.session_state


# ----------------------------------------------------------------- session rights


def _fingerprint(hashed: str) -> str:
    return hashlib.sha256(hashed.encode("utf-8")).hexdigest()


def current_editor(cfg: Config, *, state: MutableMapping[str, Any] | None = None,
                   user: Mapping[str, Any] | None = None,
                   secrets: Mapping[str, Any] | None = None) -> Optional[Editor]:
    """The session's editor, checked now, or ``None``.

    With an identity provider: the ``st.user`` identity when signed in, verified and on the
    allow-list. Otherwise: the local account signed in in this session, while it is still
    in the accounts file with the same password hash (a removed account or a new password
    ends the session's right; its entry is then dropped). Does not look at
    ``editing.enabled`` (see :func:`can_write`).
    """
    secrets = _secrets(secrets)
    if oidc_configured(secrets):
        return oidc_editor(_user(user), allowed_emails(secrets))
    state = _state(state)
    entry = state.get(SESSION_KEY)
    if not isinstance(entry, Mapping):
        return None
    name = entry.get("name")
    try:
        stored = load_accounts(editing_settings(cfg).accounts_path).get(name) if isinstance(name, str) else None
    except AccountsError:
        return None
    if stored is None or not hmac.compare_digest(_fingerprint(stored), str(entry.get("fingerprint", ""))):
        state.pop(SESSION_KEY, None)
        return None
    return Editor(id=f"local:{name}", name=name, method="local")


def sign_in_local(cfg: Config, name: str, password: str, *, now: float | None = None,
                  state: MutableMapping[str, Any] | None = None,
                  secrets: Mapping[str, Any] | None = None) -> Editor:
    """Sign in with a local account and remember the editor in the session.

    Raises :class:`Throttled` (wait), :class:`BadCredentials`, or :class:`AuthError` when
    editing is off on this server or an identity provider is configured instead.
    """
    if not editing_enabled(cfg):
        raise AuthError("auth.editing_disabled")
    if oidc_configured(_secrets(secrets)):
        raise AuthError("auth.use_oidc")
    settings = editing_settings(cfg)
    stored = _verify(settings.accounts_path, name, password, now, settings.lockout)
    if stored is None:
        raise BadCredentials()
    login = normalise_name(name)
    _state(state)[SESSION_KEY] = {"name": login, "fingerprint": _fingerprint(stored)}
    return Editor(id=f"local:{login}", name=login, method="local")


def sign_out(cfg: Config, *, state: MutableMapping[str, Any] | None = None,  # noqa: ARG001 - same shape as the others
             user: Mapping[str, Any] | None = None, secrets: Mapping[str, Any] | None = None,
             logout: Callable[[], None] | None = None) -> None:
    """End the session's editing right: forget the local editor; with an identity provider
    and a signed-in user, also ``st.logout()`` (or ``logout``)."""
    _state(state).pop(SESSION_KEY, None)
    if oidc_configured(_secrets(secrets)) and _user(user).get("is_logged_in") is True:
        if logout is None:
            import streamlit as st

            logout = st.logout
        logout()


def can_write(cfg: Config, *, state: MutableMapping[str, Any] | None = None,
              user: Mapping[str, Any] | None = None, secrets: Mapping[str, Any] | None = None,
              environ: Mapping[str, str] | None = None) -> bool:
    """The server-side check at the moment of writing: editing is on *now* (config
    re-read, environment) and the session's editor is still valid. Any failure: ``False``."""
    try:
        return (editing_enabled(cfg, environ=environ)
                and current_editor(cfg, state=state, user=user, secrets=secrets) is not None)
    except Exception:  # noqa: BLE001 - a right is never granted by accident
        return False


def editor_right(cfg: Config, **sources: Any) -> Callable[[], bool]:
    """The ``allowed()`` callable for the store: each call runs :func:`can_write` again.

    Call it in the session's script run (where the write happens): it reads that
    session's ``st.session_state`` and ``st.user``. ``sources`` (``state``, ``user``,
    ``secrets``, ``environ``) fix them for tests.
    """
    def allowed() -> bool:
        return can_write(cfg, **sources)

    return allowed


# ------------------------------------------------------------------ Streamlit UI


def sign_in_panel(cfg: Config, lang: str = "vi") -> Optional[Editor]:
    """The sign-in / sign-out block of the editing page; returns the signed-in editor.

    Editing off: a notice. Signed in: who, and a sign-out button. Identity provider: one
    sign-in button per provider (or why the signed-in identity may not edit). Local
    accounts: a name/password form showing the delay after repeated failures.
    """
    import streamlit as st

    from .present import md

    if not editing_enabled(cfg):
        st.info(t("auth.editing_disabled", lang))
        return None
    editor = current_editor(cfg)
    if editor is not None:
        st.caption(md("auth.signed_in_as", lang, name=editor.name))
        if st.button(t("auth.sign_out", lang), key="auth_sign_out"):
            sign_out(cfg)
            st.rerun()
        return editor
    secrets = _secrets(None)
    if oidc_configured(secrets):
        user = _user(None)
        refusal = oidc_refusal(user, allowed_emails(secrets))
        if refusal is not None:
            st.warning(md(refusal.key, lang, **refusal.params))
            if st.button(t("auth.sign_out", lang), key="auth_sign_out"):
                sign_out(cfg)
            return None
        for provider in oidc_providers(secrets):
            label = (t("auth.sign_in_oidc", lang) if provider == "default"
                     else t("auth.sign_in_oidc_named", lang, provider=provider))
            if st.button(label, key=f"auth_login_{provider}"):
                st.login(None if provider == "default" else provider)
        return None
    settings = editing_settings(cfg)
    try:
        accounts = load_accounts(settings.accounts_path)
    except AccountsError as err:
        st.warning(md(err.key, lang, **err.params))
        return None
    if not accounts:
        st.info(t("auth.no_accounts", lang))
        return None
    with st.form("auth_sign_in", clear_on_submit=True):
        st.markdown(f"**{t('auth.form_title', lang)}**")
        name = st.text_input(t("auth.name_label", lang), key="auth_name", autocomplete="username")
        password = st.text_input(t("auth.password_label", lang), type="password", key="auth_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("auth.sign_in", lang))
    if submitted:
        try:
            sign_in_local(cfg, name, password)
        except AuthError as err:
            st.warning(md(err.key, lang, **err.params))
            return None
        st.rerun()
    return None
