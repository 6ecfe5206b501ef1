"""Cập nhật dữ liệu — staff edit the figures (signed-in editors only; see README)."""

from dashboard.views.editor import editor_page

editor_page()
