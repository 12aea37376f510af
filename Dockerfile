# Multi-stage build: compile in the Rust image, run as a non-root user in a slim Debian.
#   docker build -t berth .
#   mkdir -p berth-data && sudo chown 10001:10001 berth-data   # the image runs as uid 10001
#   docker run -d -p 24817:24817 -v "$PWD/berth-data:/var/lib/berth" berth
FROM rust:1-bookworm AS build
WORKDIR /src
# Dependencies first, in their own cached layer: a dummy crate with the real manifests builds
# every dependency; the layer is rebuilt only when Cargo.toml, Cargo.lock or
# migration/Cargo.toml change, not on every source edit.
COPY Cargo.toml Cargo.lock ./
COPY migration/Cargo.toml migration/
RUN mkdir -p src/bin/berth-bench migration/src \
    && echo 'fn main() {}' > src/main.rs \
    && echo 'fn main() {}' > src/bin/berth-bench/main.rs \
    && touch src/lib.rs migration/src/lib.rs \
    && cargo build --release --locked --bin berth \
    && rm -rf src migration/src
COPY migration ./migration
COPY src ./src
# COPY keeps the files' own (older) times; touch them so cargo rebuilds over the dummy.
RUN touch src/main.rs src/lib.rs migration/src/lib.rs \
    && cargo build --release --locked --bin berth

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 berth \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/berth --create-home berth
COPY --from=build /src/target/release/berth /usr/local/bin/berth
# uid/gid 10001 owns the data directory; a bind mount must be writable by it (see the top).
USER 10001:10001
ENV BERTH_DATA_DIR=/var/lib/berth
VOLUME ["/var/lib/berth"]
EXPOSE 24817
# `berth health` asks the server's /readyz (database and storage answer); exit 0/1.
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["berth", "health", "--url", "http://127.0.0.1:24817"]
ENTRYPOINT ["berth"]
CMD ["serve", "--listen", "0.0.0.0:24817"]
