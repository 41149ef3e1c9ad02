# syntax=docker/dockerfile:1
# Build: docker build --build-arg VERSION=$(git describe --tags --always) -t okta-clickup-sync .
# .ci/run runs the go build line below verbatim, without Docker; keep it on one line.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/okta-clickup-sync ./cmd/okta-clickup-sync
# An empty state directory owned by the runtime user: a named volume mounted there starts with
# this owner, so the non-root process can create its state file.
RUN mkdir -p /out/state

# distroless/static: CA certificates and tzdata (CRON_TZ schedules), no shell, no package manager;
# the nonroot tag runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/okta-clickup-sync /okta-clickup-sync
COPY --from=build --chown=65532:65532 /out/state /var/lib/okta-clickup-sync
USER 65532:65532
# The state file lives here; mount a volume (docker run -v okta-clickup-sync:/var/lib/okta-clickup-sync).
WORKDIR /var/lib/okta-clickup-sync
ENV SYNC_STATE_PATH=/var/lib/okta-clickup-sync/okta-clickup-sync.db \
    SYNC_LISTEN_ADDR=:8080
EXPOSE 8080
# No curl in the image: the binary probes its own /healthz on loopback.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/okta-clickup-sync", "healthcheck"]
ENTRYPOINT ["/okta-clickup-sync"]
CMD ["run"]
