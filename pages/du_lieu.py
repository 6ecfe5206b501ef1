"""Dữ liệu & nguồn — data health, sources, indicator definitions, licences."""

from dashboard.ui import data_health_page

data_health_page()
