# The province comparison dashboard as a container (see docs/DEPLOY.md).
#   docker build -t so-sanh-tinh .
#   docker run -d --name so-sanh-tinh -p 8501:8501 -v "$PWD/data:/app/data" so-sanh-tinh
# The base image is pinned to a full version; update it deliberately (and rebuild) for
# security fixes.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DASHBOARD_DATA_DIR=/app/data \
    DASHBOARD_CACHE_DIR=/tmp/so-sanh-tinh-cache

# An unprivileged user owns nothing but the data volume's mount point.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# The app (tests, .git, .venv, dist/ are excluded by .dockerignore).
COPY app.py config.yaml ./
COPY .streamlit/config.toml .streamlit/config.toml
COPY dashboard/ dashboard/
COPY pages/ pages/
COPY assets/ assets/
COPY data/ data/
RUN mkdir -p /app/data && chown -R app:app /app/data

# data/ is the part editors update: mount the host's folder over it.
VOLUME /app/data

USER app
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4).read() == b'ok' else 1)"

CMD ["python", "-m", "dashboard.serve", "--server.port", "8501", "--server.address", "0.0.0.0", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
