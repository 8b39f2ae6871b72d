"""Settings: defaults, then a TOML file, then BLUELIGHT_* environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluelight.kernel.settings import ConfigError, load_settings


def test_defaults_are_a_sqlite_file_under_var_on_loopback_8000(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no bluelight.toml here
    s = load_settings(env={})
    assert (s.host, s.port) == ("127.0.0.1", 8000)
    assert s.db == Path("var/hub.sqlite")
    assert s.gazetteer == Path("var/gazetteer.sqlite")
    assert s.policy.ack_deadline_s == 30.0 and s.policy.phone_baseline_s == 240.0


def test_the_environment_overrides_the_file(tmp_path):
    config = tmp_path / "hub.toml"
    config.write_text('port = 9100\ndata_dir = "/srv/hub"\nack_deadline_s = 20\n')
    s = load_settings(config, env={"BLUELIGHT_PORT": "9200", "BLUELIGHT_REJECT_UNKNOWN_UPRN": "true"})
    assert s.port == 9200
    assert s.db == Path("/srv/hub/hub.sqlite")
    assert s.ack_deadline_s == 20.0
    assert s.policy.reject_unknown_uprn is True


def test_the_config_file_can_be_named_in_the_environment(tmp_path):
    config = tmp_path / "elsewhere.toml"
    config.write_text("phone_baseline_s = 180\n")
    assert load_settings(env={"BLUELIGHT_CONFIG": str(config)}).phone_baseline_s == 180.0


@pytest.mark.parametrize("text, env, needle", [
    ("port = 'eighty'\n", {}, "port"),
    ("", {"BLUELIGHT_MAX_BODY_BYTES": "lots"}, "max_body_bytes"),
    ("colour = 'blue'\n", {}, "colour"),
    ("port = \n", {}, "cannot read"),
])
def test_a_bad_setting_is_a_clear_error(tmp_path, text, env, needle):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(config, env=env)
    assert needle in str(err.value)


def test_sign_in_throttling_settings_reach_the_policy_and_nonsense_is_refused(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no bluelight.toml here
    config = tmp_path / "hub.toml"
    config.write_text('signin_user_failures = 3\ntrusted_proxies = "127.0.0.1, ::1"\n')
    s = load_settings(config, env={"BLUELIGHT_SIGNIN_REFUSAL_DELAY_S": "0.5"})
    assert (s.policy.signin_user_failures, s.policy.signin_address_failures) == (3, 20)
    assert s.policy.signin_refusal_delay_s == 0.5 and s.policy.signin_queue == 8
    assert s.trusted_proxies == "127.0.0.1, ::1"
    with pytest.raises(ConfigError) as err:
        load_settings(env={"BLUELIGHT_SIGNIN_USER_FAILURES": "0"})
    assert "signin_user_failures" in str(err.value)
