"""The Celery app: configured from the settings, every scheduled job a known task."""

from django.conf import settings

from config.celery import app


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


def test_jobs_run_on_japan_time_and_nothing_is_lost_or_prefetched():
    assert app.conf.timezone == "Asia/Tokyo"
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > settings.WEBHOOK_BACKOFF_MAX_SECONDS


def test_without_a_broker_tasks_run_in_process():
    assert settings.CELERY_TASK_ALWAYS_EAGER is not bool(settings.CELERY_BROKER_URL)
    assert app.conf.task_always_eager is settings.CELERY_TASK_ALWAYS_EAGER


def test_a_webhook_lease_outlives_any_live_attempt():
    from webhooks.tasks import deliver

    assert deliver.time_limit < settings.WEBHOOK_LEASE_SECONDS
    assert settings.WEBHOOK_TIMEOUT_SECONDS < deliver.soft_time_limit < deliver.time_limit
