# KoG-Portal container: assets from npm, a cgo build for the SQLite driver,
# and a small Debian runtime with the same glibc as the build stage.
# Build with `make docker`; run with a volume on /data and the KOG_* settings
# of the README (production needs KOG_BASE_URL, KOG_SESSION_SECRET,
# KOG_OIDC_* and KOG_ADMIN_SUBJECTS).

FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error
RUN mkdir -p out/kern/fonts out/htmx \
 && cp node_modules/@kern-ux/native/dist/kern.min.css out/kern/ \
 && cp -r node_modules/@kern-ux/native/dist/fonts/fira-sans node_modules/@kern-ux/native/dist/fonts/fira-sans.css out/kern/fonts/ \
 && cp node_modules/htmx.org/dist/htmx.min.js out/htmx/

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /src/out/ static/vendor/
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/kog .

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin kog \
 && mkdir -p /data && chown kog:kog /data
COPY --from=build /out/kog /usr/local/bin/kog
USER kog
ENV KOG_ENV=production KOG_ADDR=0.0.0.0:3000 KOG_DATA_DIR=/data KOG_LOG_FORMAT=json
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD ["kog", "healthcheck"]
ENTRYPOINT ["kog"]
CMD ["serve"]
