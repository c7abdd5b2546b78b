# A Swift build image for machines that cannot pull `swift:*` from a registry: the base image
# (Debian, see scripts/deploy-test.sh), the packages a Swift toolchain needs to compile and
# link, the toolchain copied in from the build context (`swift/`), and bare git mirrors of the
# package dependencies (`packages/`, with `packages/gitconfig` naming the URL each one stands
# for), so that `swift package resolve` in docker/Dockerfile works without network access.
#
#   docker build -f docker/local/builder.Dockerfile --build-arg BASE_IMAGE=... CONTEXT
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends \
        binutils ca-certificates git libc6-dev libgcc-14-dev libstdc++-14-dev \
        libcurl4-openssl-dev libxml2-dev libsqlite3-0 libncurses6 libedit2 zlib1g-dev \
        pkg-config tzdata \
    && rm -rf /var/lib/apt/lists/*
COPY swift/ /opt/swift/
ENV PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN swift --version
COPY packages/ /opt/swift-packages/
RUN cat /opt/swift-packages/gitconfig >> /etc/gitconfig \
    && git config --system --add safe.directory '*'
