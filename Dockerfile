# Two stages: the build stage installs the locked dependencies (every one pinned and hash-checked,
# requirements/app.txt) and the product into a virtual environment; the runtime stage copies only that
# environment and runs it as an unprivileged user.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
RUN python -m venv /opt/contact-lookup
ENV PATH=/opt/contact-lookup/bin:$PATH
WORKDIR /src
COPY requirements/app.txt requirements/app.txt
RUN pip install --require-hashes -r requirements/app.txt
COPY pyproject.toml README.md ./
COPY service ./service
COPY indexer ./indexer
COPY search_definitions ./search_definitions
RUN pip install --no-deps .

FROM ${PYTHON_IMAGE} AS runtime
RUN useradd --system --uid 10001 --user-group --home-dir /home/contact-lookup --create-home contact-lookup
COPY --from=build /opt/contact-lookup /opt/contact-lookup
ENV PATH=/opt/contact-lookup/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    CONTACT_LOOKUP_HOME=/home/contact-lookup/data \
    CONTACT_LOOKUP_LOG_FORMAT=json
USER contact-lookup
WORKDIR /home/contact-lookup
EXPOSE 8000
# Liveness of the API (`/health` touches no dependency); the sync worker's service overrides it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"]
CMD ["contact-lookup", "serve", "--host", "0.0.0.0", "--port", "8000"]
