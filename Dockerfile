# Build: go-sqlite3 needs cgo, so the build stage has a C compiler.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
# go.mod replaces gofpdf with our copy (third_party/gofpdf/README.md).
COPY third_party ./third_party
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/moudesk ./cmd/moudesk

# Run: a small Debian with only what the binary links against.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /data moudesk \
    && mkdir -p /data && chown moudesk /data
COPY --from=build /out/moudesk /usr/local/bin/moudesk
USER moudesk
VOLUME /data
ENV MOUDESK_DB=/data/moudesk.db MOUDESK_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["moudesk"]
CMD ["serve"]
