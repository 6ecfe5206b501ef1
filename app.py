"""Router of the dashboard: pages from config.yaml, shared sidebar, banner and footer.

Run with ``streamlit run app.py`` (see README.md). All logic lives in ``dashboard/``.
"""

from dashboard.shell import run_app

run_app()
