# One image for the Python services; docker-compose picks the process per service.
FROM python:3.11-slim
ARG OFFICE=0
RUN if [ "$OFFICE" = "1" ]; then apt-get update && apt-get install -y --no-install-recommends \
      libreoffice-writer-nogui fonts-noto-cjk && rm -rf /var/lib/apt/lists/*; fi
WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock
COPY services ./services
RUN pip install --no-cache-dir --no-deps -e .
ENV PYTHONUNBUFFERED=1
