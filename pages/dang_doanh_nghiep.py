"""Đảng trong doanh nghiệp — Party organisations and members in enterprises."""

from dashboard.views.topic import topic_page

topic_page("party_enterprise")
