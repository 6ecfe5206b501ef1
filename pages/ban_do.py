"""Bản đồ — the compared provinces, their districts, industrial parks and party figures."""

from dashboard.views.map import map_page

map_page()
