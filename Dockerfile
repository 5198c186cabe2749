# Production image for the LMS: gunicorn serves Django/Wagtail; the same image runs the Celery worker and beat
# (docker-compose.yml picks the command). Build: `docker build -t truonghoc-lms .`
#
# Two stages: `build` installs the pinned dependencies and the project into a virtualenv; `runtime` copies that
# virtualenv and the source tree, collects static files and runs as an unprivileged user.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN python -m venv /opt/venv

WORKDIR /src

# Third-party dependencies first, in their own layer: it is rebuilt only when pyproject.toml or the pins change,
# not on every code edit. Every transitive version comes from requirements/constraints.txt (`make lock`).
COPY pyproject.toml ./
COPY requirements/constraints.txt requirements/constraints.txt
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -c requirements/constraints.txt -r /tmp/requirements.txt

# Then the project itself (packages config*, lib*, lms*, content*, search*, demo*; see [tool.setuptools]).
COPY config config
COPY lib lib
COPY curriculum curriculum
COPY lms lms
COPY content content
COPY search search
COPY demo demo
RUN pip install -c requirements/constraints.txt .

# ---------------------------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# WEB_CONCURRENCY is gunicorn's own variable for the number of workers; GUNICORN_CMD_ARGS adds any other option.
# PYTHONPATH=/app makes the source tree below win over the copy pip installed into site-packages, so BASE_DIR
# (and with it templates/, static/, locale/ and var/) is /app for gunicorn, Celery and manage.py alike.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    WEB_CONCURRENCY=3

# The app user gets a writable home: gunicorn puts its control socket there ($HOME/.gunicorn/gunicorn.ctl, used by
# `docker compose exec web gunicornc`).
# media-types provides /etc/mime.types, so uploads to S3 get the right Content-Type (.docx, .epub, .webm ...),
# as on a developer's Debian machine. Nothing else is needed: psycopg, Pillow and pillow-heif ship binary wheels.
RUN apt-get update \
    && apt-get install -y --no-install-recommends media-types \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
# Source stays owned by root (read-only for the app user); manage.py runs from here, so the non-package
# directories at the repository root come along too.
COPY manage.py ./
COPY config config
COPY lib lib
COPY curriculum curriculum
COPY lms lms
COPY content content
COPY search search
COPY demo demo
COPY templates templates
COPY static static
COPY locale locale
COPY locale_overrides locale_overrides
COPY docker/entrypoint.sh docker/entrypoint.sh

# Static files are collected into /app/var/static at build time and served by WhiteNoise (compressed, hashed names).
# Production settings refuse to load without SECRET_KEY, ALLOWED_HOSTS and PRIVACY_ENCRYPTION_KEYS: the values below
# exist only for this RUN step and are not part of the image's environment (the key is all zeros: never a real one).
RUN chmod 0755 docker/entrypoint.sh \
    && SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0000 ALLOWED_HOSTS=build \
        PRIVACY_ENCRYPTION_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
        python manage.py collectstatic --noinput \
    && python -m compileall -q config lib lms content search demo \
    && mkdir -p var/media \
    && chown app:app var var/media

USER app:app

EXPOSE 8000

# /healthz checks the database, cache, broker and storage. Django only answers host names in ALLOWED_HOSTS,
# so the probe sends the first of them as Host (slim has no curl: Python's urllib does the request).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; sys.exit(0 if r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=8).status == 200 else 1)"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", \
     "--error-logfile", "-", \
     "--worker-tmp-dir", "/dev/shm"]
