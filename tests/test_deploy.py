"""Deployment files: Dockerfile, .streamlit/config.toml, the offline meeting-room bundle."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

BUILD = ROOT / "scripts" / "build_offline_bundle.py"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


# ----------------------------------------------------------------------------- Dockerfile

@pytest.fixture(scope="module")
def docker() -> list[tuple[str, str]]:
    return instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))


def test_base_image_pinned_to_full_version(docker):
    froms = [a for i, a in docker if i == "FROM"]
    assert len(froms) == 1
    assert re.fullmatch(r"python:3\.\d+\.\d+-slim-bookworm", froms[0]), froms[0]


def test_runs_as_non_root(docker):
    users = [a for i, a in docker if i == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0")
    # USER comes after every RUN that needs root
    last_user = max(k for k, (i, _) in enumerate(docker) if i == "USER")
    assert all(i != "RUN" for i, _ in docker[last_user:])


def test_port_volume_health_and_command(docker):
    args = {i: a for i, a in docker}
    assert "8501" in args["EXPOSE"].split()
    assert "/app/data" in args["VOLUME"]
    assert "/_stcore/health" in args["HEALTHCHECK"] and "urllib" in args["HEALTHCHECK"]
    cmd = args["CMD"]
    for part in ('"python"', '"-m"', '"dashboard.serve"', '"--server.port"', '"8501"', '"--server.address"', '"0.0.0.0"'):
        assert part in cmd
    runs = " ".join(a for i, a in docker if i == "RUN")
    assert "pip install --no-cache-dir -r requirements.txt" in runs


def test_dockerignore():
    lines = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    for must in (".venv", ".git", ".pytest_cache", "dist", "tests", ".streamlit/secrets.toml"):
        assert must in lines, must


# ----------------------------------------------------------------------------- config.toml

@pytest.fixture(scope="module")
def toml() -> dict:
    with open(ROOT / ".streamlit" / "config.toml", "rb") as fh:
        return tomllib.load(fh)


def test_streamlit_config_essentials(toml, cfg):
    assert toml["browser"]["gatherUsageStats"] is False
    assert toml["server"]["headless"] is True
    assert toml["server"]["enableXsrfProtection"] is True
    from dashboard.edit_form import MAX_UPLOAD_BYTES

    # the server refuses uploads larger than the editing page accepts
    assert toml["server"]["maxUploadSize"] * 1024 * 1024 == MAX_UPLOAD_BYTES
    assert toml["client"]["toolbarMode"] == "viewer"
    assert toml["client"]["showErrorDetails"] == "none"
    colours = toml["theme"]["chartCategoricalColors"]
    assert colours[:2] == [cfg.colour("thai-nguyen"), cfg.colour("hai-duong")]
    assert toml["theme"]["primaryColor"] == cfg.colour("thai-nguyen")


def test_every_option_exists_in_installed_streamlit(toml):
    import streamlit.config as stc

    options = stc.get_config_options(force_reparse=True)
    for section, values in toml.items():
        for key in values:
            assert f"{section}.{key}" in options, f"{section}.{key}"


# ----------------------------------------------------------------------------- offline bundle

def build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BUILD), *args], capture_output=True, text=True, timeout=300)


def test_bundle_layout(tmp_path):
    out = tmp_path / "offline-bundle"
    res = build("--out", str(out), "--skip-wheels")
    assert res.returncode == 0, res.stderr
    for rel in ("app.py", "config.yaml", "requirements.txt", ".streamlit/config.toml", "pages/trinh_chieu.py",
                "dashboard/views/presentation.py", "assets/icon.png", "data/values.csv", "data/dataset.yaml", "install.sh", "run.sh",
                "install.bat", "run.bat", "BUNDLE.txt", "wheelhouse"):
        assert (out / rel).exists(), rel
    assert not (out / ".streamlit" / "secrets.toml").exists()
    assert not list(out.rglob("__pycache__")) and not (out / "tests").exists() and not (out / ".venv").exists()
    assert (out / "requirements.txt").read_bytes() == (ROOT / "requirements.txt").read_bytes()
    for script in ("install.sh", "install.bat"):
        text = (out / script).read_text(encoding="utf-8")
        assert "--no-index" in text and "--find-links" in text and "-m venv .venv" in text
    assert "wheelhouse-win" in (out / "install.bat").read_text(encoding="utf-8")
    for script in ("run.sh", "run.bat"):
        text = (out / script).read_text(encoding="utf-8")
        assert "-m dashboard.serve --server.headless true" in text
    assert b"\r\n" in (out / "install.bat").read_bytes() and b"\r\n" not in (out / "install.sh").read_bytes()
    assert os.access(out / "install.sh", os.X_OK)
    with zipfile.ZipFile(tmp_path / "offline-bundle.zip") as zf:
        names = set(zf.namelist())
    assert {"offline-bundle/app.py", "offline-bundle/install.bat", "offline-bundle/data/values.csv"} <= names


def test_bundle_refuses_to_replace_a_foreign_folder(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    res = build("--out", str(out), "--skip-wheels", "--no-zip")
    assert res.returncode != 0 and (out / "keep.txt").exists()


def _probe_wheel(folder: Path) -> Path:
    """A minimal pure-Python wheel, made here so the install test needs no network."""
    name, version = "bundleprobe", "1.0"
    files = {
        f"{name}/__init__.py": b"VALUE = 42\n",
        f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{name}-{version}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{name}-{version}.dist-info/RECORD,,")
    files[f"{name}-{version}.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    whl = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return whl


def test_install_script_works_without_an_index(tmp_path):
    """install.sh of a bundle (wheelhouse copied from a folder) installs with --no-index.

    The full check with the real requirements (downloads ~140 MB once) is
    scripts/check_offline_bundle.sh, see docs/DEPLOY.md.
    """
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _probe_wheel(wheels)
    req = tmp_path / "req.txt"
    req.write_text("bundleprobe==1.0\n")
    out = tmp_path / "offline-bundle"
    res = build("--out", str(out), "--requirements", str(req), "--wheelhouse-from", str(wheels), "--no-zip")
    assert res.returncode == 0, res.stderr
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull, "PYTHON": sys.executable}
    env.pop("VIRTUAL_ENV", None)
    res = subprocess.run(["sh", str(out / "install.sh")], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    probe = subprocess.run([str(out / ".venv" / "bin" / "python"), "-c", "import bundleprobe; print(bundleprobe.VALUE)"],
                           capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == "42"
