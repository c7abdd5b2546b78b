# A MongoDB-protocol server image for machines without registry access: SecantusDB (the server
# the test suite runs) on the base image, installed from wheels in the build context (`wheels/`,
# downloaded on the host: pip inside a build may not trust the host's certificate authorities).
# `mongosh` here is a small readiness probe for docker/compose.yaml's health check: it ignores
# the script it is given and succeeds when the server answers `hello` as a writable primary.
# SecantusDB advertises 0.0.0.0:27017 as its replica-set member, so clients in other containers
# connect with `directConnection=true`.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
COPY wheels/ /tmp/wheels/
RUN python3 -m venv /opt/secantus \
    && /opt/secantus/bin/pip install --no-index --find-links /tmp/wheels --no-cache-dir \
        $(cat /tmp/wheels/requirements.txt) \
    && rm -rf /tmp/wheels \
    && mkdir -p /data/db /etc/secantus \
    && : > /etc/secantus/secantusd.toml
COPY mongosh /usr/local/bin/mongosh
COPY mongodb-entrypoint.sh /usr/local/bin/mongodb-entrypoint.sh
VOLUME ["/data/db"]
EXPOSE 27017
ENTRYPOINT ["/usr/local/bin/mongodb-entrypoint.sh"]
