# Front-end libraries pinned in package-lock.json, installed from the npm registry at build time
# (never a CDN at run time).
FROM node:20-bookworm-slim AS vendor
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --silent

FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk libharfbuzz-subset0 \
      libpango-1.0-0 libpangoft2-1.0-0 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=vendor /build/node_modules/chart.js/dist/chart.umd.min.js static/vendor/chart.umd.min.js
COPY --from=vendor /build/node_modules/chart.js/LICENSE.md static/vendor/chart.js.LICENSE.md
EXPOSE 8000
