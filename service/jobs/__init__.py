"""Archive jobs: many articles summarised in the background by Celery workers, with Redis
as broker and store. `celery -A service.jobs worker` runs a worker; the API side is
service.jobs.api (the /v1/jobs blueprint)."""

from service.jobs.worker import celery_app

app = celery_app  # the name `celery -A service.jobs` looks for

__all__ = ["app", "celery_app"]
