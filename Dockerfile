FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY indexer ./indexer
COPY search_definitions ./search_definitions
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["contact-lookup", "serve", "--host", "0.0.0.0", "--port", "8000"]
