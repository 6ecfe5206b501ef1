"""So sánh chỉ tiêu — any indicator, any provinces, any period; chart, table, downloads."""

from dashboard.views.explorer import explorer_page

explorer_page()
