"""Đảng trong trường học — Party work in schools and new members."""

from dashboard.views.topic import topic_page

topic_page("party_school")
