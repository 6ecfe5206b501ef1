"""Kinh tế – xã hội — GRDP, budget, exports, FDI, industrial parks."""

from dashboard.views.topic import topic_page

topic_page("economy")
