# syntax=docker/dockerfile:1
# One image for every service; docker-compose.yml picks the service by its command, e.g.
#   node dist/broker/main.js
# The services run the JavaScript that deploy/build.ts emits into dist/ (esbuild, no
# bundling); tsx stays in the image for the command-line tools (`node --import tsx edge/cli.ts`).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# serialport and classic-level ship prebuilt addons for linux x64, arm64 and arm; the
# compilers are only a fallback for other platforms and stay in this stage.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# The npm that wrote package-lock.json; it runs install scripts only for the packages in
# package.json's allowScripts and, with --strict-allow-scripts, fails on any other.
RUN npm install -g npm@11.19.1 --no-audit --no-fund
# patches/ holds fixes to dependencies that npm ci applies (patch-package, postinstall).
COPY package.json package-lock.json .npmrc ./
COPY patches ./patches
RUN npm ci --omit=dev --strict-allow-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# Blocks over 128 KiB (scrypt's 16 MiB when the broker checks a password) go back to the
# system when freed instead of staying in glibc's per-thread arenas: broker/process-env.ts.
ENV GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072
WORKDIR /app
# The reports service prints its PDF in Chromium, with a Chinese font (reports/render/pdf.ts);
# deploy/cli.ts certs makes the deployment's private CA with the openssl command line.
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-wqy-microhei openssl \
  && rm -rf /var/lib/apt/lists/*
# The backup service runs InfluxDB's own `influxd backup -portable`: the binary of the very
# image docker-compose.yml runs (test/deploy/dockerfile.test.ts keeps the two tags equal).
COPY --from=influxdb:1.8.10 /usr/bin/influxd /usr/bin/influxd
# Named volumes mounted here start with this ownership, so the services can write them.
RUN mkdir -p /data/broker /data/ingest /data/alerting /data/edge /data/reports /backups \
  && chown -R node:node /data /backups
COPY --from=build /app/node_modules ./node_modules
# The code stays owned by root: the service user can read it, not change it.
COPY . .
RUN node --import tsx deploy/build.ts
USER node
CMD ["node", "-e", "console.log('选择一个服务 / choose a service, e.g.: node dist/broker/main.js (see docker-compose.yml)')"]
