"""Trình chiếu — one comparison per slide for the meeting room (open with &embed=true)."""

from dashboard.views.presentation import presentation_page

presentation_page()
