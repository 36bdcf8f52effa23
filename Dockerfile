# One image for every trialmatch service (api, worker, beat, flower); the command picks the role.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY matcher ./matcher
COPY workers ./workers
COPY api ./api
RUN pip install --no-cache-dir ".[ops]"
COPY snapshot ./snapshot
COPY config ./config
# Never run as root: the worker only needs to read the snapshot and talk to Redis and the API.
RUN useradd --create-home --uid 10001 trialmatch
USER trialmatch
ENTRYPOINT ["trialmatch"]
