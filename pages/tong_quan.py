"""Tổng quan — the two provinces side by side: basics and headline figures."""

from dashboard.ui import overview_page

overview_page()
