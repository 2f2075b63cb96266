# syntax=docker/dockerfile:1
# AuroMart image: the same image runs web (gunicorn), the Celery worker, beat
# and the one-shot migrate service of docker-compose.yml (the reverse proxy,
# MariaDB, Redis, MinIO and Mailpit are stock images).

# --- build: compile mysqlclient and install the pinned requirements ------------
FROM python:3.11-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc pkg-config libmariadb-dev \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install -r /tmp/requirements.txt

# --- runtime ---------------------------------------------------------------------
FROM python:3.11-slim-bookworm

# libmariadb3: mysqlclient at run time. Pango, HarfBuzz subset and a font:
# WeasyPrint renders invoice and report PDFs with them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libmariadb3 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=auromart.settings

COPY --from=build /opt/venv /opt/venv

RUN useradd --create-home --uid 10001 --user-group app
WORKDIR /app
# The code stays owned by root: the app user can read it, not change it.
COPY . /app
RUN mkdir -p /app/staticfiles /app/media \
    && chown app:app /app/staticfiles /app/media

USER app

# collectstatic imports the settings, which need a SECRET_KEY; this value
# exists only in this build step, never in the running container.
RUN SECRET_KEY=build-only-dummy-key-not-used-at-run-time DEBUG=false \
    python manage.py collectstatic --noinput

EXPOSE 8000
# gunicorn.conf.py: preloaded app, gthread workers, graceful stop (see there).
CMD ["gunicorn", "auromart.wsgi:application", "--config", "gunicorn.conf.py", "--access-logfile", "-"]
