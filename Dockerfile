# The application's image, for compose.yaml (web, worker and beat run it) or any
# container platform. Settings come from the environment (README: Configuration).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# The dependencies first: a change of code alone reuses this layer.
COPY pyproject.toml README.md ./
RUN pip install --quiet .

COPY . .
# The static files are part of the image (WhiteNoise serves them); collectstatic needs
# production settings, not production secrets.
RUN DJANGO_ENV=production SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    STATIC_ROOT=/app/static python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --home-dir /app crm
USER crm
ENV STATIC_ROOT=/app/static
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
