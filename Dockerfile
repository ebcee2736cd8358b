# One image for every service: hk ingest | attribution | aggregator | migrate | topics | simulate (docker-compose.yml).
# The base is pinned by version; both stages use the same one, so the venv's interpreter path exists at run time.

# Build stage: the dependencies in a virtualenv. Every one of them ships a manylinux wheel, so no compiler is needed.
FROM python:3.11.13-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml ./
COPY services ./services
# The code finds schemas/ and deploy/alerts/ beside its own source tree (Path(__file__).parents[2]), so it runs
# from /app rather than from site-packages: install the project for its dependencies, then drop the project.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir . \
    && /opt/venv/bin/pip uninstall --yes hk-attribution

FROM python:3.11.13-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
# A fixed numeric uid: files it writes on volumes have an owner the host can name. /var/lib/hk is where each
# Faust worker keeps its RocksDB tables (HK_DATA_DIR); compose mounts an anonymous volume there per replica.
RUN useradd --create-home --uid 10001 hk \
    && mkdir -p /var/lib/hk \
    && chown 10001:10001 /var/lib/hk \
    && printf '#!/bin/sh\nexec python -m services.cli "$@"\n' > /usr/local/bin/hk \
    && chmod 755 /usr/local/bin/hk
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY services ./services
COPY schemas ./schemas
COPY deploy/alerts ./deploy/alerts
USER 10001
ENTRYPOINT ["hk"]
