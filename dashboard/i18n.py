"""User-facing strings, one catalogue per language (``locales/vi.yaml``, ``locales/en.yaml``).

Vietnamese is the default language. Keys are flat, dotted strings; values are
``str.format`` templates. A missing key in one language is a defect that
``tests/test_i18n.py`` catches; at run time it falls back to Vietnamese, then to the key.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml

LANGS: tuple[str, ...] = ("vi", "en")
DEFAULT_LANG = "vi"
_LOCALE_DIR = Path(__file__).with_name("locales")


@lru_cache(maxsize=None)
def catalogue(lang: str) -> Mapping[str, str]:
    """Return the flat key -> template mapping of ``lang``."""
    with open(_LOCALE_DIR / f"{lang}.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return _flatten(data)


def _flatten(tree: Mapping, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, val in tree.items():
        full = f"{prefix}{key}"
        if isinstance(val, Mapping):
            flat.update(_flatten(val, full + "."))
        else:
            flat[full] = str(val)
    return flat


def normalise_lang(lang: str | None) -> str:
    """Return a supported language code, defaulting to Vietnamese."""
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """Translate ``key`` into ``lang`` and fill in ``params``.

    Examples
    --------
    >>> t("app.title", "en")  # doctest: +SKIP
    'Province comparison'
    """
    lang = normalise_lang(lang)
    template = catalogue(lang).get(key) or catalogue(DEFAULT_LANG).get(key) or key
    if not params:
        return template
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def pick(text: Mapping[str, str] | str | None, lang: str) -> str:
    """Choose the ``lang`` entry of a ``{vi: ..., en: ...}`` mapping from ``data/``."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if not isinstance(text, Mapping):  # a {vi, en} model from data/ or config.yaml
        text = {code: getattr(text, code, "") for code in LANGS}
    return text.get(lang) or text.get(DEFAULT_LANG) or next(iter(text.values()), "")
