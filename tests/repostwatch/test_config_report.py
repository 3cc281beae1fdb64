"""``[report]`` and ``[delivery]``: defaults, values, secrets from the environment, and one-line
errors naming the file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports import NAMES
from repostwatch.config import load_config
from repostwatch.errors import ConfigError

PUB = '[[publications]]\nname = "The Daily Planet"\n'


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None):
    path = tmp_path / "repostwatch.toml"
    path.write_text(PUB + text, encoding="utf-8")
    return load_config(path, env=env or {}, report_formats=NAMES)  # as the shell reads it


def test_defaults_deliver_nothing(tmp_path: Path) -> None:
    config = _load(tmp_path, "")
    assert not config.delivery.enabled
    assert config.report.repost_rule == "Reposts are welcomed with the reference to {publication}."
    assert config.report.outreach is True


def test_values_and_secrets_from_the_environment(tmp_path: Path) -> None:
    config = _load(tmp_path, """
[report]
dir = "out"
credit_line = "Via {publication}: {url}"
outreach = false

[delivery]
folder = "share/reports"
formats = ["html", "md"]
email_to = ["editor@daily-planet.test"]
email_from = "rw@daily-planet.test"
smtp_host = "mail.daily-planet.test"
smtp_security = "ssl"
smtp_user = "rw"
webhook_url = "https://hooks.daily-planet.test/rw"
retries = 5
""", env={"REPOSTWATCH_SMTP_PASSWORD": "pw", "REPOSTWATCH_WEBHOOK_TOKEN": "tok"})
    d = config.delivery
    assert config.report_dir == tmp_path / "out"
    assert (config.report.credit_line, config.report.outreach) == ("Via {publication}: {url}",
                                                                   False)
    assert d.folder == str(tmp_path / "share/reports") and d.formats == ("html", "md")
    assert (d.smtp_security, d.smtp_password, d.webhook_token, d.retries) == ("ssl", "pw",
                                                                              "tok", 5)
    assert "pw" not in repr(d) and "tok" not in repr(d)


@pytest.mark.parametrize(("text", "message"), [
    ('[report]\ncredit_line = "by {author}"', "line 5: report.credit_line: has an unknown "
                                              "placeholder {author}"),
    ('[delivery]\nformats = ["pdf"]', "line 5: delivery.formats: unknown format 'pdf'"),
    ('[delivery]\nsmtp_security = "tls"', "delivery.smtp_security: must be starttls, ssl or none"),
    ('[delivery]\nemail_to = ["editor"]', "delivery.email_to: 'editor' is not an e-mail address"),
    ('[delivery]\nemail_to = ["e@x.test"]', "delivery.email_to: needs smtp_host and email_from"),
    ('[delivery]\nwebhook_url = "ftp://x.test/"', "delivery.webhook_url: must be an http(s) URL"),
    ('[delivery]\nretries = -1', "delivery.retries: must not be negative"),
    ('[delivery]\nsmtp_password = "x"', "delivery.smtp_password: unknown key"),
])
def test_bad_values_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, "\n" + text + "\n")
    assert message in str(err.value) and "\n" not in str(err.value)
    assert "docs/config.md" in str(err.value)


def test_the_config_knows_every_report_format(tmp_path: Path) -> None:
    config = _load(tmp_path, f"[delivery]\nformats = {list(NAMES)!r}\n".replace("'", '"'))
    assert config.delivery.formats == NAMES


def test_the_cli_checks_delivery_formats_against_the_registry(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The config cannot know the report formats (reports sit above it): the shell hands the
    registry's names in, so a format no renderer has is refused before anything runs."""
    from repostwatch.cli import main

    (tmp_path / "repostwatch.toml").write_text(PUB + '[delivery]\nformats = ["pdf"]\n')
    monkeypatch.chdir(tmp_path)
    assert main(["report"]) == 2
    assert "line 4: delivery.formats: unknown format 'pdf'" in capsys.readouterr().err
    assert not (tmp_path / "repostwatch.db").exists()
