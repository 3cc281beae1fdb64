"""Secrets in URLs are hidden wherever a URL is printed, logged or stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.distributed import public_url
from repostwatch.redact import safe_webhook_url
from repostwatch.store import safe_url
from tests.repostwatch.clihome import run


@pytest.mark.parametrize(("url", "secret", "shown"), [
    ("postgresql+psycopg://rw:hunter2@db.test/rw", "hunter2", "postgresql+psycopg://rw:***@db.test/rw"),
    # an unescaped "@" in the password: the host comes after the last one
    ("postgresql+psycopg://rw:hun@ter2@db.test:5432/rw", "ter2", "rw:***@db.test:5432/rw"),
    ("postgresql+psycopg://rw@db.test/rw?password=hunter2", "hunter2", "?password=***"),
    ("postgresql://db.test/rw?user=rw&sslpassword=hunter2&sslmode=require", "hunter2",
     "user=rw&sslpassword=***&sslmode=require"),
    ("sqlite:///rw.db?token=hunter2#x", "hunter2", "sqlite:///rw.db?token=***#x"),
])
def test_database_urls_hide_passwords(url: str, secret: str, shown: str) -> None:
    masked = safe_url(url)
    assert secret not in masked and shown in masked


@pytest.mark.parametrize(("url", "secret"), [
    ("redis://:hunter2@redis.test:6379/0", "hunter2"),
    ("redis://rw:hun@ter2@redis.test/0", "ter2"),
    ("rediss://redis.test/0?password=hunter2", "hunter2"),
])
def test_redis_urls_hide_passwords(url: str, secret: str) -> None:
    assert secret not in public_url(url) and "redis.test" in public_url(url)


@pytest.mark.parametrize(("url", "shown"), [
    ("https://hooks.example.test/services/T00/B00/XXXXsecret", "https://hooks.example.test/***"),
    ("https://chat.test:8443/api/webhooks/123/tok3n?wait=1", "https://chat.test:8443/***"),
    ("https://u:p@hooks.test/?token=x", "https://hooks.test/***"),
    ("https://hooks.test/", "https://hooks.test"),
])
def test_webhook_urls_show_only_their_host(url: str, shown: str) -> None:
    assert safe_webhook_url(url) == shown


def test_a_database_that_cannot_be_opened_is_named_without_its_password(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # SQLAlchemy hid the password up to its first "@" only, and its driver then named a
    # "host" made of the rest: an unescaped "@" is now refused before connecting
    for url, code, said in (
            ("postgresql+psycopg://rw:hun@ter2@127.0.0.1:1/rw", 2, "must be written %40"),
            ("postgresql+psycopg://rw@127.0.0.1:1/rw?password=hunter2", 4,
             "cannot open database")):
        monkeypatch.setenv("REPOSTWATCH_DATABASE_URL", url)
        capsys.readouterr()
        assert run("originals", "list") == code
        err = capsys.readouterr().err
        assert said in err and "127.0.0.1:1" in err
        assert "ter2" not in err and "hunter2" not in err
