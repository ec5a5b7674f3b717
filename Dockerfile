# nevr-events as a container image: `docker build -t nevr-events .`
#
# Two stages: `build` makes wheels of the package and its dependencies and installs
# them into a virtual environment; the runtime stage is the base image plus that
# environment only (no compiler, no build tools, no pip, no pip cache).
#
# BASE_IMAGE is any image with Python >= 3.11 and `python3 -m venv`: the official
# slim image (default), or a Debian one with Debian's python3 and python3-venv
# (scripts/image builds such a base from Debian's packages and passes it here).
#
# A proxy's CA bundle for pip (build time only, never in a layer):
#   podman build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt .
#   docker buildx build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt .
#
# Run (README "Containers"): the secret from the environment or a file, the data in /data:
#   docker run -d --name nevr-events -p 8081:8081 -v nevr-events-data:/data \
#     -e JWT_SECRET="$(openssl rand -hex 32)" --stop-timeout 40 nevr-events
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
RUN python3 -m venv /opt/nevr-events
WORKDIR /src
# The dependencies first, made into wheels and installed in a layer that changes only
# with the packaging files (an empty package and README stand in for the code and the
# long description; that stand-in is uninstalled again).
COPY setup.cfg setup.py pyproject.toml ./
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
    && rm -f /wheels/nevr_events-* && mkdir nevr_events && touch nevr_events/__init__.py README.md \
    && /opt/nevr-events/bin/pip wheel --wheel-dir /wheels --find-links /wheels . \
    && /opt/nevr-events/bin/pip install --no-index --find-links /wheels /wheels/nevr_events-*.whl \
    && /opt/nevr-events/bin/pip uninstall -y -q nevr-events \
    && rm -rf /wheels/nevr_events-* nevr_events README.md build ./*.egg-info
# Then the package itself: its wheel, installed with the dependencies already there.
COPY README.md ./
COPY nevr_events ./nevr_events
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
    && /opt/nevr-events/bin/pip wheel --no-deps --wheel-dir /wheels . \
    && /opt/nevr-events/bin/pip install --no-index --find-links /wheels nevr-events \
    && rm -f /wheels/nevr_events-* \
    && /opt/nevr-events/bin/pip uninstall -y -q pip setuptools \
    && /opt/nevr-events/bin/python -c "from nevr_events import create_app" \
    && /opt/nevr-events/bin/nevr-events --version

FROM ${BASE_IMAGE}
# A fixed non-root user (numeric, so Kubernetes' runAsNonRoot can check it), written
# into /etc/passwd directly: a minimal Debian base has no useradd.
RUN echo "nevr:x:10001:10001:nevr-events:/data:/usr/sbin/nologin" >>/etc/passwd \
    && echo "nevr:x:10001:" >>/etc/group \
    && mkdir -p /data && chown 10001:10001 /data && chmod 0750 /data
COPY --from=build /opt/nevr-events /opt/nevr-events
# No secret here: JWT_SECRET or JWT_SECRET_FILE comes at `docker run` (or compose).
ENV PATH=/opt/nevr-events/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    STORE_URL=sqlite:////data/events.db \
    SERVER_ADDRESS=:8081
USER 10001:10001
WORKDIR /data
VOLUME /data
EXPOSE 8081
# gunicorn drains on SIGTERM within SERVER_TIMEOUT (30s): give `docker stop` more than
# that (`docker run --stop-timeout 40`, compose `stop_grace_period: 40s`).
STOPSIGNAL SIGTERM
# The project's own CLI, on the address SERVER_ADDRESS names (all interfaces: loopback).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD host="${SERVER_ADDRESS%:*}"; \
    case "$host" in ""|0.0.0.0|"[::]") host=127.0.0.1 ;; esac; \
    exec nevr-events health --url "http://$host:${SERVER_ADDRESS##*:}"
ENTRYPOINT ["nevr-events"]
CMD ["serve"]
