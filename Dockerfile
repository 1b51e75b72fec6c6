# Front-end libraries pinned in package-lock.json, installed from the npm registry at build time
# (never a CDN at run time).
FROM node:20-bookworm-slim AS vendor
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --silent  # axe-core (a devDependency) is for the tests only

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/media
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk libharfbuzz-subset0 \
      libpango-1.0-0 libpangoft2-1.0-0 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tongban \
 && useradd --system --uid 10001 --gid tongban --home-dir /app --no-create-home --shell /usr/sbin/nologin tongban
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
# The code belongs to root and is read-only for the service user; only /data/media and
# /data/anchors (the audit chain's signed daily anchors) are writable.
COPY . .
# Chart.js with the source map its bundle names (collectstatic's manifest resolves the reference).
COPY --from=vendor /build/node_modules/chart.js/dist/chart.umd.min.js static/vendor/chart.umd.min.js
COPY --from=vendor /build/node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/chart.umd.min.js.map
COPY --from=vendor /build/node_modules/chart.js/LICENSE.md static/vendor/chart.js.LICENSE.md
# Static files are collected once, at build time, with the production storage (hashed names).
# The keys here are throw-aways for this one command (the settings refuse to start without them;
# nothing is encrypted at build time): the real ones come at run time.
RUN DEBUG=false SECRET_KEY=collectstatic-at-build-time-only \
    PII_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= PII_INDEX_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    python manage.py collectstatic --noinput \
 && mkdir -p /data/media /data/anchors && chown tongban:tongban /data/media /data/anchors
USER tongban
EXPOSE 8000
# Migrations are not run here: the compose file's one-shot `migrate` service does that, once.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["python", "scripts/healthcheck.py"]
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
