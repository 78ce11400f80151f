# syntax=docker/dockerfile:1
# Kansrijk: a static binary in a distroless image.
#
#   docker build -t kansrijk .
#   docker run --read-only --tmpfs /tmp -v kansrijk-data:/data -p 8080:8080 \
#     -e KANSRIJK_BASE_URL=https://kansrijk.example.org \
#     -e KANSRIJK_AUDIT_KEY_FILE=/run/secrets/audit.key kansrijk
#
# See docs/operations.md (Container).

# ---- build ------------------------------------------------------------
FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so that a change of the code alone reuses this layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary (pure-Go SQLite and PostgreSQL drivers, no cgo), with the
# time zone database inside as a second source for Europe/Brussels.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -buildvcs=false -tags timetzdata \
      -ldflags='-s -w' -o /out/kansrijk ./cmd/kansrijk
# The data folder, owned by the image's non-root user (65532).
RUN mkdir -p /out/data && chown 65532:65532 /out/data

# ---- run --------------------------------------------------------------
# distroless/static: CA certificates, tzdata, /etc/passwd with "nonroot";
# no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot AS run
COPY --from=build /out/kansrijk /kansrijk
COPY --from=build --chown=65532:65532 /out/data /data
ENV TZ=Europe/Brussels \
    KANSRIJK_DB=sqlite:/data/kansrijk.db \
    KANSRIJK_ADDR=0.0.0.0:8080 \
    KANSRIJK_LOG_FORMAT=json
USER 65532:65532
# Everything the program writes lives here (SQLite database, scheduled
# backups with KANSRIJK_BACKUP_DIR=/data/backups); the root file system can
# be mounted read-only.
VOLUME ["/data"]
EXPOSE 8080
# The image has no curl: the binary checks itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/kansrijk", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/kansrijk"]
CMD ["serve"]
