"""``config.yaml``: pages, colours, chart and map settings, slides.

Presentation lives here; data lives in ``data/``. The file is validated with the same
pydantic models approach as the data; a broken ``config.yaml`` is a deployment error and
fails loudly at start-up with the file and field named.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = ROOT / "config.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _each_once(ids: list[str], message: str) -> None:
    """Refuse a list of ids naming one twice (``message`` says which list)."""
    if len(set(ids)) != len(ids):
        raise ValueError(message)


class Text(_Model):
    vi: str
    en: str


class AppSettings(_Model):
    data_dir: str = "data"
    default_language: str = "vi"
    default_provinces: list[str] = Field(default_factory=lambda: ["thai-nguyen", "hai-duong"])
    #: the most provinces one view compares (the sidebar's limit, and a link's)
    max_provinces: int = Field(8, ge=2)


class ChartSettings(_Model):
    font_size: int = 18
    title_size: int = 22
    height: int = 430


class ContextSettings(_Model):
    """National context of index figures: ``term_start`` is the first year of the term
    (changes are shown since it)."""

    term_start: int = Field(2021, ge=1900, le=2100)


class BaseMap(_Model):
    provider: str
    style: Optional[str] = None


class MapSettings(_Model):
    base_map: Optional[BaseMap] = None
    neighbour_colour: list[int] = Field(default_factory=lambda: [200, 200, 200])


class PageEntry(_Model):
    id: str
    file: str
    url_path: str
    icon: Optional[str] = None
    default: bool = False
    #: In the menu only for a signed-in editor; the path itself always answers (a sign-in form).
    editors_only: bool = False
    title: Text


class Composition(_Model):
    total: str
    parts: list[str]


#: The id of the section that collects a topic page's concepts no section names.
OTHER_SECTION = "khac"


class Section(_Model):
    """One tab of a topic page: the concepts it shows (``concepts``, and every concept of
    ``topics``), with the industrial parks map panel or the national context panel.

    Only the open tab is computed and sent (issue #9: a page draws a few charts at a
    time); a link names it (``section``).
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    title: Text
    concepts: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    map_panel: bool = False
    context_panel: bool = False

    @model_validator(mode="after")
    def _shows_something(self) -> "Section":
        if self.id == OTHER_SECTION:
            raise ValueError(f"section id {OTHER_SECTION!r} is reserved (concepts no section names)")
        if not (self.concepts or self.topics or self.map_panel or self.context_panel):
            raise ValueError(f"section {self.id!r} shows nothing: give `concepts`, `topics`, "
                             "`map_panel: true` or `context_panel: true`")
        return self


class TopicPage(_Model):
    """A topic page: the figures of ``topics``. With ``sections`` the page is a row of
    tabs; without, one page (``map_panel`` and ``context_panel`` then apply to it)."""

    topics: list[str]
    compositions: list[Composition] = Field(default_factory=list)
    map_panel: bool = False
    context_panel: bool = False
    sections: list[Section] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sections(self) -> "TopicPage":
        _each_once([s.id for s in self.sections], "sections: each id once")
        if self.sections and (self.map_panel or self.context_panel):
            raise ValueError("with `sections`, set `map_panel`/`context_panel` on the section that shows it")
        for s in self.sections:
            foreign = [t for t in s.topics if t not in self.topics]
            if foreign:
                raise ValueError(f"section {s.id!r}: topics {foreign} are not among the page's topics {self.topics}")
        claimed = [c for s in self.sections for c in s.concepts]
        twice = sorted({c for c in claimed if claimed.count(c) > 1})
        if twice:
            raise ValueError(f"sections: concepts {twice} are named by more than one section")
        return self


class Snapshot(_Model):
    """A set of figures as presented at one meeting (the ``asof`` parameter of a link).

    ``sources``: the ids (``data/sources.yaml``) of what was presented; ``as_of_year``:
    figures dated after this year are left out. At least one of the two.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    title: Text
    sources: list[str] = Field(default_factory=list)
    as_of_year: Optional[int] = Field(None, ge=1900, le=2100)

    @model_validator(mode="after")
    def _defined(self) -> "Snapshot":
        if self.id == "latest":
            raise ValueError("snapshot id 'latest' is reserved (the newest figures)")
        if not self.sources and self.as_of_year is None:
            raise ValueError(f"snapshot {self.id!r} needs `sources` and/or `as_of_year`")
        return self


class ScorecardRow(_Model):
    concept: str
    page: str  #: the id of the topic page (``pages``) the row links to


class ScorecardSettings(_Model):
    """The overview's comparison table: one row per headline concept."""

    rows: list[ScorecardRow] = Field(default_factory=list)


#: the most concepts one group slide shows (its table fits one screen at 1366×768)
GROUP_MAX = 6


class Slide(_Model):
    """One slide: a ``concept`` (one comparison) or a ``group`` of concepts (a scorecard
    table), never both; a group has 2..GROUP_MAX distinct concepts."""

    concept: Optional[str] = None
    group: Optional[list[str]] = None
    title: Text

    @model_validator(mode="after")
    def _one_kind(self) -> "Slide":
        if (self.concept is None) == (self.group is None):
            raise ValueError("a slide has either `concept` or `group` (a list of concepts), not both")
        if self.group is not None:
            if not 2 <= len(self.group) <= GROUP_MAX:
                raise ValueError(f"a `group` slide lists 2 to {GROUP_MAX} concepts, not {len(self.group)}")
            if len(set(self.group)) != len(self.group):
                raise ValueError("a `group` slide lists each concept once")
        return self

    @property
    def concepts(self) -> list[str]:
        """The concepts the slide shows, in order."""
        return [self.concept] if self.concept is not None else list(self.group or [])


class LockoutSettings(_Model):
    """The growing delay after failed sign-ins, counted per account name across the server:
    after ``free_attempts`` failures in a row the next attempt waits ``base_seconds``, and the
    wait doubles with each further failure, up to ``max_seconds``."""

    free_attempts: int = Field(3, ge=1, le=100)
    base_seconds: float = Field(2.0, gt=0, le=3600)
    max_seconds: float = Field(900.0, gt=0, le=86400)


class EditingSettings(_Model):
    """Editing the curated data from the app (``dashboard/auth.py``). Off unless enabled;
    the ``DASHBOARD_EDITING`` environment variable (``1``/``0``) overrides ``enabled``.
    ``accounts_file``: local editor accounts (argon2id hashes, never committed), relative
    to the project root; used when no identity provider is configured in secrets."""

    enabled: bool = False
    accounts_file: str = ".streamlit/editors.toml"
    lockout: LockoutSettings = Field(default_factory=LockoutSettings)

    @property
    def accounts_path(self) -> Path:
        path = Path(self.accounts_file)
        return path if path.is_absolute() else ROOT / path


class Config(_Model):
    app: AppSettings = Field(default_factory=AppSettings)
    colours: dict[str, object] = Field(default_factory=dict)
    chart: ChartSettings = Field(default_factory=ChartSettings)
    context: ContextSettings = Field(default_factory=ContextSettings)
    map: MapSettings = Field(default_factory=MapSettings)
    pages: list[PageEntry]
    topic_pages: dict[str, TopicPage] = Field(default_factory=dict)
    slides: list[Slide] = Field(default_factory=list)
    snapshots: list[Snapshot] = Field(default_factory=list)
    scorecard: ScorecardSettings = Field(default_factory=ScorecardSettings)
    editing: EditingSettings = Field(default_factory=EditingSettings)
    #: the file this configuration was read from (``load_config``), so that a check at
    #: the moment of writing can re-read ``editing`` (``dashboard.auth``)
    _source: Optional[Path] = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _references(self) -> "Config":
        _each_once([s.id for s in self.snapshots], "snapshots: each id once")
        pages = {p.id for p in self.pages}
        _each_once([s.id for page in self.topic_pages.values() for s in page.sections],
                   "topic_pages: each section id once across all pages (a link names one)")
        for row in self.scorecard.rows:
            if row.page not in pages:
                raise ValueError(f"scorecard row {row.concept!r}: unknown page {row.page!r}")
        return self

    @property
    def data_path(self) -> Path:
        path = Path(self.app.data_dir)
        return path if path.is_absolute() else ROOT / path

    @property
    def source_path(self) -> Optional[Path]:
        """The ``config.yaml`` this was read from; ``None`` for a configuration built in code."""
        return self._source

    def colour(self, province: str, index: int = 0) -> str:
        """The province's colour; a fallback colour (by position) for others."""
        value = self.colours.get(province)
        if isinstance(value, str):
            return value
        fallback = self.colours.get("fallback") or ["#495057"]
        return str(fallback[index % len(fallback)])

    def page(self, page_id: str) -> PageEntry:
        return next(p for p in self.pages if p.id == page_id)


def load_config(path: Path | str = CONFIG_PATH) -> Config:
    with open(path, encoding="utf-8") as fh:
        cfg = Config.model_validate(yaml.safe_load(fh))
    cfg._source = Path(path).resolve()
    return cfg


#: Environment variable naming another configuration file (e.g. the one editing replica of
#: a deployment, or a test); default: ``config.yaml`` of the project.
CONFIG_ENV = "DASHBOARD_CONFIG"


def get_config(path: str | None = None) -> Config:
    """The parsed configuration (once per process and file): ``path``, else the file named
    by ``DASHBOARD_CONFIG``, else the project's ``config.yaml``."""
    return _cached_config(path or os.environ.get(CONFIG_ENV) or str(CONFIG_PATH))


@lru_cache(maxsize=4)
def _cached_config(path: str) -> Config:
    return load_config(path)
