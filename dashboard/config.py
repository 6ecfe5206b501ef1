"""``config.yaml``: pages, colours, chart and map settings, slides.

Presentation lives here; data lives in ``data/``. The file is validated with the same
pydantic models approach as the data; a broken ``config.yaml`` is a deployment error and
fails loudly at start-up with the file and field named.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = ROOT / "config.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    title: Text


class Composition(_Model):
    total: str
    parts: list[str]


class TopicPage(_Model):
    topics: list[str]
    compositions: list[Composition] = Field(default_factory=list)
    map_panel: bool = False


class Overview(_Model):
    kpis: list[str]


class Slide(_Model):
    concept: str
    title: Text


class Config(_Model):
    app: AppSettings = Field(default_factory=AppSettings)
    colours: dict[str, object] = Field(default_factory=dict)
    chart: ChartSettings = Field(default_factory=ChartSettings)
    map: MapSettings = Field(default_factory=MapSettings)
    pages: list[PageEntry]
    topic_pages: dict[str, TopicPage] = Field(default_factory=dict)
    overview: Overview
    slides: list[Slide] = Field(default_factory=list)

    @property
    def data_path(self) -> Path:
        path = Path(self.app.data_dir)
        return path if path.is_absolute() else ROOT / path

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
        return Config.model_validate(yaml.safe_load(fh))


@lru_cache(maxsize=4)
def get_config(path: str = str(CONFIG_PATH)) -> Config:
    """The parsed configuration (once per process)."""
    return load_config(path)
