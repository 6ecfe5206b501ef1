"""Editing rights (dashboard/auth.py): local accounts with argon2id hashes, the server-wide
growing delay after failed sign-ins, the OIDC allow-list, and the check at the moment of
writing (editing switched on now, the session's editor still valid)."""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path

import pytest
import yaml
from argon2 import PasswordHasher

from dashboard import auth
from dashboard.__main__ import main
from dashboard.config import Config, EditingSettings, load_config
from dashboard.i18n import LANGS, catalogue
from tests.conftest import ROOT

PASSWORD = "đúng-mật-khẩu-2026"
#: argon2id with small parameters: the same algorithm and code paths, milliseconds per hash
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
OIDC_SECRETS = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s" * 32,
             "client_id": "id", "client_secret": "secret",
             "server_metadata_url": "https://idp.example/.well-known/openid-configuration"},
    "editing": {"editors": ["Lan.Nguyen@TinhUy.gov.vn", "minh@example.vn"]},
}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    monkeypatch.setattr(auth, "HASHER", CHEAP)
    monkeypatch.delenv(auth.ENV_VAR, raising=False)
    auth.reset_throttle()
    yield
    auth.reset_throttle()


@pytest.fixture
def accounts(tmp_path) -> Path:
    path = tmp_path / "secrets" / "editors.toml"
    auth.add_editor(path, "lan", PASSWORD)
    return path


def make_cfg(accounts_file: Path, enabled: bool = True, **lockout) -> Config:
    lock = {"free_attempts": 3, "base_seconds": 2, "max_seconds": 16, **lockout}
    return Config.model_validate({"pages": [], "editing": {
        "enabled": enabled, "accounts_file": str(accounts_file), "lockout": lock}})


def write_config(path: Path, accounts_file: Path, enabled: bool) -> Path:
    """A copy of the shipped config.yaml with its ``editing`` section replaced."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["editing"] = {"enabled": enabled, "accounts_file": str(accounts_file),
                      "lockout": {"free_attempts": 3, "base_seconds": 60, "max_seconds": 900}}
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


# ------------------------------------------------------------------- configuration


def test_editing_is_off_by_default_and_the_accounts_file_is_not_committed(cfg):
    assert EditingSettings().enabled is False
    assert Config.model_validate({"pages": []}).editing.enabled is False
    assert cfg.editing.enabled is False  # the shipped config.yaml
    assert cfg.editing.accounts_path == ROOT / ".streamlit" / "editors.toml"
    assert auth.editing_enabled(cfg) is False
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".streamlit/editors.toml" in ignored


def test_environment_variable_overrides_the_config(tmp_path):
    off, on = make_cfg(tmp_path / "a.toml", enabled=False), make_cfg(tmp_path / "a.toml", enabled=True)
    assert auth.editing_enabled(off, environ={"DASHBOARD_EDITING": "1"}) is True
    assert auth.editing_enabled(on, environ={"DASHBOARD_EDITING": "0"}) is False
    assert auth.editing_enabled(on, environ={"DASHBOARD_EDITING": "maybe"}) is False  # unknown: off
    assert auth.editing_enabled(on, environ={"DASHBOARD_EDITING": ""}) is True


# ------------------------------------------------------------------------ accounts


def test_only_an_argon2id_hash_is_stored_with_owner_only_permissions(tmp_path, monkeypatch):
    monkeypatch.setattr(auth, "HASHER", PasswordHasher())  # the real parameters
    path = tmp_path / "new" / "editors.toml"
    assert auth.add_editor(path, "lan", PASSWORD) is False
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text and PASSWORD.encode("utf-8") not in path.read_bytes()
    hashed = tomllib.loads(text)["editors"]["lan"]["hash"]
    assert hashed.startswith("$argon2id$")
    assert PasswordHasher().verify(hashed, PASSWORD)
    assert auth.load_accounts(path) == {"lan": hashed}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["editors.toml"]  # no temporary file left


def test_names_and_passwords_are_checked(tmp_path, accounts):
    for bad in ("", "a", "lan nguyen", "nguyễn", "-lan", "../lan", "lan/x", "x" * 33, 'a"]\nb'):
        with pytest.raises(auth.AccountsError) as err:
            auth.add_editor(accounts, bad, PASSWORD)
        assert err.value.key == "auth.cli.bad_name"
    with pytest.raises(auth.AccountsError) as err:
        auth.add_editor(accounts, "minh", "short-9ch")
    assert err.value.key == "auth.cli.too_short"
    with pytest.raises(auth.AccountsError) as err:
        auth.add_editor(accounts, "Lan", "another password")  # same login, another case
    assert err.value.key == "auth.cli.exists"
    assert auth.add_editor(accounts, " Minh.Tran ", "password-of-minh") is False
    assert set(auth.load_accounts(accounts)) == {"lan", "minh.tran"}


def test_replace_sets_a_new_password_and_remove_deletes(accounts):
    assert auth.add_editor(accounts, "lan", "a new password", replace=True) is True
    assert auth.verify_local(accounts, "lan", "a new password", now=0)
    assert not auth.verify_local(accounts, "lan", PASSWORD, now=0)
    auth.remove_editor(accounts, "LAN")
    assert auth.load_accounts(accounts) == {}
    with pytest.raises(auth.AccountsError) as err:
        auth.remove_editor(accounts, "lan")
    assert err.value.key == "auth.cli.not_found"


def test_a_damaged_accounts_file_grants_nothing_and_is_left_untouched(tmp_path):
    path = tmp_path / "editors.toml"
    for text in ('[editors.lan]\nhash = "plain text password"\n', "[editors\n", '[editors."Bad Name"]\nhash = "$argon2id$x"\n'):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(auth.AccountsError):
            auth.add_editor(path, "minh", "password-of-minh")
        assert path.read_text(encoding="utf-8") == text
        with pytest.raises(auth.AccountsError):
            auth.verify_local(path, "lan", "plain text password", now=0)
    assert auth.load_accounts(tmp_path / "missing.toml") == {}


# -------------------------------------------------------------- sign-in, throttle


def test_wrong_password_is_refused_and_the_right_one_signs_in(accounts):
    cfg, state = make_cfg(accounts), {}
    with pytest.raises(auth.BadCredentials) as err:
        auth.sign_in_local(cfg, "lan", PASSWORD + "x", now=0, state=state, secrets={})
    assert err.value.message("vi") == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert state == {}
    editor = auth.sign_in_local(cfg, " LAN", PASSWORD, now=0, state=state, secrets={})
    assert editor == auth.Editor(id="local:lan", name="lan", method="local")
    assert auth.current_editor(cfg, state=state, secrets={}) == editor
    assert PASSWORD not in repr(state)


def test_growing_delay_is_shared_by_every_session_of_the_server(accounts):
    cfg = make_cfg(accounts)  # 3 free attempts, then 2, 4, 8, 16 (cap) seconds
    first, second = {}, {}

    def attempt(state, now, password="wrong password"):
        try:
            auth.sign_in_local(cfg, "lan", password, now=now, state=state, secrets={})
        except auth.Throttled as err:
            return err.wait_seconds
        except auth.BadCredentials:
            return "bad"
        return "ok"

    assert [attempt(first, 0), attempt(first, 0), attempt(first, 0)] == ["bad", "bad", "bad"]
    # another session is refused too, even with the right password, for 2 s
    assert attempt(second, 0.5, PASSWORD) == pytest.approx(1.5)
    with pytest.raises(auth.Throttled) as err:
        auth.sign_in_local(cfg, "lan", PASSWORD, now=1.0, state=second, secrets={})
    assert err.value.message("vi").endswith("thử lại sau 1 giây.")
    assert "try again in 1 seconds" in err.value.message("en")
    assert second == {}
    waits = []
    now = 2.0
    for _ in range(5):
        assert attempt(second, now) == "bad"
        waits.append(attempt(first, now))
        now += waits[-1]
    assert waits == [4, 8, 16, 16, 16]
    assert attempt(first, now, PASSWORD) == "ok"


def test_unknown_names_are_throttled_the_same_way_and_hashed_the_same(accounts, monkeypatch):
    verified = []
    real_verify = CHEAP.verify

    class Counting:
        time_cost, memory_cost, parallelism = CHEAP.time_cost, CHEAP.memory_cost, CHEAP.parallelism
        hash_len, salt_len = CHEAP.hash_len, CHEAP.salt_len
        hash = staticmethod(CHEAP.hash)

        @staticmethod
        def verify(hashed, password):
            verified.append(hashed)
            return real_verify(hashed, password)

    monkeypatch.setattr(auth, "HASHER", Counting)
    lockout = make_cfg(accounts).editing.lockout
    for name in ("lan", "nobody"):
        results = [auth.verify_local(accounts, name, "wrong password", now=0, lockout=lockout) for _ in range(3)]
        assert results == [False, False, False]
        with pytest.raises(auth.Throttled) as err:
            auth.verify_local(accounts, name, "wrong password", now=1, lockout=lockout)
        assert err.value.wait_seconds == pytest.approx(1)
    # every attempt that was not refused ran one argon2id verification, known name or not
    assert len(verified) == 6
    params = {re.sub(r"\$[^$]+\$[^$]+$", "", h) for h in verified}
    assert params == {"$argon2id$v=19$m=1024,t=1,p=1"}
    assert auth.verify_local(accounts, "minh", "wrong password", now=1, lockout=lockout) is False  # per account


def test_success_resets_the_count(accounts):
    lockout = make_cfg(accounts).editing.lockout
    for _ in range(2):
        assert not auth.verify_local(accounts, "lan", "wrong password", now=0, lockout=lockout)
    assert auth.verify_local(accounts, "lan", PASSWORD, now=0, lockout=lockout)
    assert auth.throttle_wait("lan", now=0, lockout=lockout) == 0
    for _ in range(3):  # three free failures again, not one
        assert not auth.verify_local(accounts, "lan", "wrong password", now=0, lockout=lockout)
    assert auth.throttle_wait("lan", now=0, lockout=lockout) == 2


def test_lockout_delay_doubles_up_to_the_cap():
    lock = EditingSettings().lockout
    assert [auth.lockout_delay(n, lock) for n in range(3)] == [0, 0, 0]
    assert [auth.lockout_delay(n, lock) for n in (3, 4, 5)] == [2, 4, 8]
    assert auth.lockout_delay(1000, lock) == 900


# ----------------------------------------------------------------- writing rights


def test_editing_disabled_refuses_even_a_signed_in_editor(accounts):
    state = {}
    auth.sign_in_local(make_cfg(accounts), "lan", PASSWORD, now=0, state=state, secrets={})
    assert auth.can_write(make_cfg(accounts), state=state, secrets={}) is True
    assert auth.can_write(make_cfg(accounts, enabled=False), state=state, secrets={}) is False
    assert auth.can_write(make_cfg(accounts), state=state, secrets={}, environ={"DASHBOARD_EDITING": "off"}) is False
    with pytest.raises(auth.AuthError) as err:
        auth.sign_in_local(make_cfg(accounts, enabled=False), "lan", PASSWORD, now=0, state={}, secrets={})
    assert err.value.key == "auth.editing_disabled"


def test_the_config_file_is_read_again_at_the_moment_of_writing(tmp_path, accounts):
    path = write_config(tmp_path / "config.yaml", accounts, enabled=True)
    cfg, state = load_config(path), {}
    auth.sign_in_local(cfg, "lan", PASSWORD, now=0, state=state, secrets={})
    allowed = auth.editor_right(cfg, state=state, secrets={})
    assert allowed() is True
    write_config(path, accounts, enabled=False)  # the same loaded cfg object, the file changed
    assert cfg.editing.enabled is True and allowed() is False
    path.write_text("editing: [broken", encoding="utf-8")
    assert allowed() is False
    write_config(path, accounts, enabled=True)
    assert allowed() is True
    path.unlink()
    assert allowed() is False


def test_a_removed_account_or_a_new_password_ends_the_right(accounts):
    cfg, state = make_cfg(accounts), {}
    auth.sign_in_local(cfg, "lan", PASSWORD, now=0, state=state, secrets={})
    allowed = auth.editor_right(cfg, state=state, secrets={})
    assert allowed() is True
    auth.add_editor(accounts, "lan", "a new password", replace=True)
    assert allowed() is False and auth.SESSION_KEY not in state
    auth.sign_in_local(cfg, "lan", "a new password", now=0, state=state, secrets={})
    assert allowed() is True
    auth.remove_editor(accounts, "lan")
    assert allowed() is False
    assert auth.current_editor(cfg, state=state, secrets={}) is None


def test_sign_out_ends_the_session_right(accounts):
    cfg, state = make_cfg(accounts), {}
    auth.sign_in_local(cfg, "lan", PASSWORD, now=0, state=state, secrets={})
    calls = []
    auth.sign_out(cfg, state=state, secrets={}, logout=lambda: calls.append(1))
    assert auth.can_write(cfg, state=state, secrets={}) is False and calls == []  # local: no st.logout
    user = {"is_logged_in": True, "email": "minh@example.vn"}
    auth.sign_out(cfg, state=state, user=user, secrets=OIDC_SECRETS, logout=lambda: calls.append(1))
    assert calls == [1]


# ----------------------------------------------------------------------------- OIDC


def test_oidc_is_configured_only_with_a_usable_auth_section():
    assert auth.oidc_configured(OIDC_SECRETS)
    assert auth.oidc_providers(OIDC_SECRETS) == ["default"]
    assert not auth.oidc_configured({})
    assert not auth.oidc_configured({"map": {"token": "x"}})
    shared = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}
    assert not auth.oidc_configured({"auth": shared})
    assert not auth.oidc_configured({"auth": {**OIDC_SECRETS["auth"], "cookie_secret": ""}})
    named = {"auth": {**shared, "microsoft": {"client_id": "a", "client_secret": "b", "server_metadata_url": "https://x"},
                      "bad_name": {"client_id": "a", "client_secret": "b", "server_metadata_url": "https://x"},
                      "partial": {"client_id": "a"}}}
    assert auth.oidc_providers(named) == ["microsoft"]


@pytest.mark.parametrize("user, editor_id", [
    ({"is_logged_in": True, "email": "lan.nguyen@tinhuy.gov.vn", "email_verified": True}, "oidc:lan.nguyen@tinhuy.gov.vn"),
    ({"is_logged_in": True, "email": " LAN.NGUYEN@tinhuy.GOV.vn"}, "oidc:lan.nguyen@tinhuy.gov.vn"),
    ({"is_logged_in": True, "email": "minh@example.vn", "email_verified": "true"}, "oidc:minh@example.vn"),
    ({"is_logged_in": True, "email": "minh@example.vn", "email_verified": False}, None),
    ({"is_logged_in": True, "email": "minh@example.vn", "email_verified": "false"}, None),
    ({"is_logged_in": True, "email": "minh@example.vn.evil.example"}, None),
    ({"is_logged_in": True, "email": "xminh@example.vn"}, None),
    ({"is_logged_in": True, "email": "minh@example"}, None),
    ({"is_logged_in": True}, None),
    ({"is_logged_in": False, "email": "minh@example.vn"}, None),
    ({"email": "minh@example.vn"}, None),  # no identity provider flag: not signed in
])
def test_oidc_allow_list(accounts, user, editor_id):
    cfg = make_cfg(accounts)
    editor = auth.current_editor(cfg, state={}, user=user, secrets=OIDC_SECRETS)
    assert (editor.id if editor else None) == editor_id
    assert auth.can_write(cfg, state={}, user=user, secrets=OIDC_SECRETS) is (editor_id is not None)
    assert auth.can_write(make_cfg(accounts, enabled=False), state={}, user=user, secrets=OIDC_SECRETS) is False


def test_with_an_identity_provider_local_accounts_do_not_count(accounts):
    cfg, state = make_cfg(accounts), {}
    auth.sign_in_local(cfg, "lan", PASSWORD, now=0, state=state, secrets={})
    assert auth.can_write(cfg, state=state, user={"is_logged_in": False}, secrets=OIDC_SECRETS) is False
    with pytest.raises(auth.AuthError) as err:
        auth.sign_in_local(cfg, "lan", PASSWORD, now=0, state={}, secrets=OIDC_SECRETS)
    assert err.value.key == "auth.use_oidc"
    no_list = {"auth": OIDC_SECRETS["auth"]}
    assert auth.can_write(cfg, user={"is_logged_in": True, "email": "minh@example.vn"}, state={}, secrets=no_list) is False


# ------------------------------------------------------------------------------ CLI


def fake_getpass(monkeypatch, *answers):
    asked = []

    def getpass(prompt=""):
        asked.append(prompt)
        return answers[len(asked) - 1]

    monkeypatch.setattr("getpass.getpass", getpass)
    return asked


def test_add_editor_command(tmp_path, monkeypatch, capsys):
    path = tmp_path / "editors.toml"
    cmd = ["add-editor", "Lan", "--accounts-file", str(path)]

    asked = fake_getpass(monkeypatch, "mật khẩu dài 1", "mật khẩu dài 2")
    assert main(cmd) == 1
    assert len(asked) == 2 and "ít nhất 10 ký tự" in asked[0]
    assert "không khớp" in capsys.readouterr().out and not path.exists()

    asked = fake_getpass(monkeypatch, "ngắn-9-kt", "ngắn-9-kt")
    assert main(cmd) == 1
    assert len(asked) == 1 and "ít nhất 10 ký tự" in capsys.readouterr().out and not path.exists()

    fake_getpass(monkeypatch, PASSWORD, PASSWORD)
    assert main(cmd) == 0
    out = capsys.readouterr().out
    assert "Đã thêm tài khoản biên tập lan" in out and "đang tắt" in out  # the shipped config: editing off
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PASSWORD not in path.read_text(encoding="utf-8")
    assert auth.verify_local(path, "lan", PASSWORD, now=0)

    asked = fake_getpass(monkeypatch)
    assert main(cmd + ["--lang", "en"]) == 1  # exists: refused before asking
    assert asked == [] and "--replace" in capsys.readouterr().out
    assert main(["add-editor", "lan nguyen", "--accounts-file", str(path)]) == 1
    assert asked == [] and "không hợp lệ" in capsys.readouterr().out

    fake_getpass(monkeypatch, "a new password", "a new password")
    assert main(cmd + ["--replace"]) == 0
    assert auth.verify_local(path, "lan", "a new password", now=0)

    assert main(["remove-editor", "lan", "--accounts-file", str(path)]) == 0
    assert main(["remove-editor", "lan", "--accounts-file", str(path), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "Đã xóa tài khoản biên tập lan" in out and "There is no editor account lan" in out
    assert auth.load_accounts(path) == {}


def test_add_editor_command_can_be_cancelled(tmp_path, monkeypatch, capsys):
    def interrupted(prompt=""):
        raise KeyboardInterrupt

    monkeypatch.setattr("getpass.getpass", interrupted)
    path = tmp_path / "editors.toml"
    assert main(["add-editor", "lan", "--accounts-file", str(path)]) == 1
    assert "Đã hủy" in capsys.readouterr().out and not path.exists()


# ------------------------------------------------------------------ texts, AppTest


def test_every_auth_text_exists_in_both_languages():
    used = set()
    for rel in ("dashboard/auth.py", "dashboard/__main__.py"):
        used |= set(re.findall(r"""["'](auth\.[a-z_.]+)["']""", (ROOT / rel).read_text(encoding="utf-8")))
    assert len(used) >= 25
    for lang in LANGS:
        assert not sorted(used - set(catalogue(lang))), lang


def _panel(config_path: str, lang: str) -> None:
    import streamlit as st

    from dashboard.auth import sign_in_panel
    from dashboard.config import load_config

    editor = sign_in_panel(load_config(config_path), lang)
    st.text(f"editor={editor.id if editor else None}")


def _sign_in(at, name, password):
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(password)
    return at.button[0].click().run()


def test_sign_in_panel_in_two_browser_sessions(tmp_path, accounts):
    from streamlit.testing.v1 import AppTest

    path = str(write_config(tmp_path / "config.yaml", accounts, enabled=True))
    first = AppTest.from_function(_panel, args=(path, "vi"), default_timeout=60).run()
    second = AppTest.from_function(_panel, args=(path, "vi"), default_timeout=60).run()
    assert first.text[-1].value == "editor=None"
    for _ in range(3):
        _sign_in(first, "lan", "wrong password")
        assert first.warning[0].value == "Tên đăng nhập hoặc mật khẩu không đúng."
    _sign_in(second, "lan", PASSWORD)  # another session, the right password: still waits
    assert re.fullmatch(r".*thử lại sau (59|60) giây\.", second.warning[0].value)
    assert second.text[-1].value == "editor=None"

    auth.reset_throttle()
    _sign_in(second, "lan", PASSWORD)
    assert second.text[-1].value == "editor=local:lan" and not second.error
    assert first.run().text[-1].value == "editor=None"  # one session's sign-in is not another's
    second.button(key="auth_sign_out").click().run()
    assert second.text[-1].value == "editor=None"

    write_config(Path(path), accounts, enabled=False)
    assert "chỉ cho xem" in second.run().info[0].value


def test_sign_in_panel_with_an_identity_provider(tmp_path, accounts):
    from streamlit.testing.v1 import AppTest

    path = str(write_config(tmp_path / "config.yaml", accounts, enabled=True))
    at = AppTest.from_function(_panel, args=(path, "en"), default_timeout=60)
    at.secrets.update(OIDC_SECRETS)
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in with your organisation account"]
    at.user = {"is_logged_in": True, "email": "someone@example.vn", "email_verified": True}
    at.run()
    assert "may not edit" in at.warning[0].value and at.text[-1].value == "editor=None"
    at.user = {"is_logged_in": True, "email": "Minh@Example.vn", "email_verified": True, "name": "Minh"}
    at.run()
    assert at.text[-1].value == "editor=oidc:minh@example.vn"
    at.button(key="auth_sign_out").click().run()  # st.logout()
    assert at.user.get("is_logged_in") is False and at.text[-1].value == "editor=None"
