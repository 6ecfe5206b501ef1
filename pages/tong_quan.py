"""Tổng quan — the two provinces side by side: basics and headline figures."""

from dashboard.views.overview import overview_page

overview_page()
