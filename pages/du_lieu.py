"""Dữ liệu & nguồn — data health, sources, indicator definitions, licences."""

from dashboard.views.data_health import data_health_page

data_health_page()
