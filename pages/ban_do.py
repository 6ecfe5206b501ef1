"""Bản đồ — the compared provinces, their districts, industrial parks and party figures."""

from dashboard.maps_page import map_page

map_page()
