# Multi-stage build: compile in the Rust image, run as a non-root user in a slim Debian.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY migration ./migration
COPY src ./src
RUN cargo build --release --locked --bin berth

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/berth --create-home berth
COPY --from=build /src/target/release/berth /usr/local/bin/berth
USER berth
ENV BERTH_DATA_DIR=/var/lib/berth
VOLUME ["/var/lib/berth"]
EXPOSE 24817
# `berth health` asks the server's /readyz (database and storage answer); exit 0/1.
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["berth", "health", "--url", "http://127.0.0.1:24817"]
ENTRYPOINT ["berth"]
CMD ["serve", "--listen", "0.0.0.0:24817"]
