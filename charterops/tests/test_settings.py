"""Production-like settings: loud about missing secrets, clean under check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "pR0d-L1k3_s3cr3t-kEy-wItH-m4ny-UnIqu3-ch4rs-9f8e7d6c5b4a",
    "JWT_SECRET": "j9-w" * 16,
    "ALLOWED_HOSTS": "ops.charterops.example",
    "DATABASE_URL": "sqlite:////tmp/charterops-deploy-check.sqlite3",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # A deployment's environment: none of the test session's own switches.
    unwanted = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "CI"}
    base = {k: v for k, v in os.environ.items() if k not in unwanted and not k.endswith("_FILE")}
    return subprocess.run(  # noqa: S603 — fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, check=False
    )


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_missing_secret_key_stops_start_up_with_a_clear_message():
    result = manage("check", env={k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_missing_jwt_secret_stops_start_up_with_a_clear_message():
    result = manage("check", env={k: v for k, v in PRODUCTION.items() if k != "JWT_SECRET"})
    assert result.returncode != 0
    assert "JWT_SECRET is not set" in result.stderr


def test_secrets_can_come_from_files(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("f1le-" * 12)
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"} | {"SECRET_KEY_FILE": str(secret_file)}
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr


def test_local_defaults_need_no_server(settings):
    # The suite itself may run on PostgreSQL (CI); the defaults are what a fresh clone gets.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='charterops.settings'; django.setup();"
            "from django.conf import settings as s;"
            "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_BACKEND,"
            " s.STORAGES['default']['BACKEND'], s.CACHES['default']['BACKEND'])",
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME"}},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.files.storage.FileSystemStorage",
        "django.core.cache.backends.filebased.FileBasedCache",
    ]
