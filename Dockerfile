# One image for the Python services; docker-compose picks the process per service.
FROM python:3.11-slim
WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock
COPY services ./services
RUN pip install --no-cache-dir --no-deps -e .
ENV PYTHONUNBUFFERED=1
