# One image for every trialmatch service (api, worker, beat, flower); the command picks the role.
#
# BASE_IMAGE: any Debian-based image with python3 (>= 3.11) and its venv module. The official slim
# image by default; a hospital's registry mirror of it, or a base built from Debian's packages on
# a host without any registry (scripts/build_base_image.sh; the compose test does that).
ARG BASE_IMAGE=python:3.11-slim

# --- build stage: the virtual environment. Only /opt/venv leaves this stage. ---
FROM ${BASE_IMAGE} AS build
# Behind a TLS-intercepting proxy pip fails with CERTIFICATE_VERIFY_FAILED unless it trusts the
# proxy's CA: pass the PEM text, --build-arg PIP_EXTRA_CA="$(cat /path/to/proxy-ca.pem)".
# It is appended to pip's own bundle in this stage only, so the final image never trusts it.
# (A CA certificate is public, not a secret; a build argument works with the legacy builder and
# BuildKit alike, which a `RUN --mount=type=secret` would not.)
ARG PIP_EXTRA_CA=""
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY matcher ./matcher
COPY workers ./workers
COPY api ./api
COPY cli ./cli
RUN set -eu; \
    if [ -n "$PIP_EXTRA_CA" ]; then \
        bundle="$(/opt/venv/bin/python -c 'import pip._vendor.certifi as c; print(c.where())')"; \
        cat "$bundle" > /tmp/pip-ca.pem; \
        printf '\n%s\n' "$PIP_EXTRA_CA" >> /tmp/pip-ca.pem; \
        export PIP_CERT=/tmp/pip-ca.pem; \
    fi; \
    /opt/venv/bin/pip install -c constraints.txt ".[ops]"; \
    rm -f /tmp/pip-ca.pem

# --- final stage: the base image, the venv and the data files; nothing from the build's CA. ---
FROM ${BASE_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY snapshot ./snapshot
COPY config ./config
# Never run as root: the services only read the snapshot and talk to Redis and the API.
RUN useradd --create-home --uid 10001 trialmatch
USER trialmatch
ENTRYPOINT ["trialmatch"]
