"""Chuyển đổi số & hành chính — DTI, PCI, PAPI, SIPAS, PAR Index, e-handbook."""

from dashboard.views.topic import topic_page

topic_page("digital")
