"""The wiring module: one Settings from the documented variables, services built once,
settings handed to ``heatmap serve``'s workers, and no other module reading the environment."""

from __future__ import annotations

import ast
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from heatmap import wiring
from heatmap.errors import ConfigError
from heatmap.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "heatmap"

#: Every variable the README documents, a value for it, and where it must land.
DOCUMENTED: list[tuple[str, str, str, object]] = [
    ("HEATMAP_DB", "sqlite:///elsewhere.db", "store.db", "sqlite:///elsewhere.db"),
    ("HEATMAP_SECRET_KEY", "k" * 20, "store.secret_key", "k" * 20),
    ("HEATMAP_POLICY", "/etc/tk/policy.toml", "policy", Path("/etc/tk/policy.toml")),
    ("HEATMAP_GAZETTEER", "/srv/g.parquet", "gazetteer", Path("/srv/g.parquet")),
    ("HEATMAP_CITY", "Вологда", "city", "Вологда"),
    ("HEATMAP_PROFILE", "crm-ru", "profile", "crm-ru"),
    ("HEATMAP_ACTOR", "ivanov", "actor", "ivanov"),
    ("HEATMAP_DASK_SCHEDULER", "tcp://10.0.0.1:8786", "dask_scheduler", "tcp://10.0.0.1:8786"),
    ("HEATMAP_DETECT_METHOD", "dbscan", "detection.method", "dbscan"),
    ("HEATMAP_DETECT_H3_RES", "8", "detection.h3_res", 8),
    ("HEATMAP_DETECT_EPS_M", "120", "detection.eps_m", 120.0),
    ("HEATMAP_DETECT_MIN_SUBSCRIBERS", "5", "detection.min_subscribers", 5),
    ("HEATMAP_DETECT_WINDOW_DAYS", "7", "detection.window_days", 7.0),
    ("HEATMAP_DETECT_RULE", "count", "detection.rule", "count"),
    ("HEATMAP_DETECT_Q", "0.05", "detection.q", 0.05),
    ("HEATMAP_DETECT_HISTORY_DAYS", "90", "detection.history_days", 90.0),
    ("HEATMAP_API_LOOKUP_REACH_M", "150", "api.lookup_reach_m", 150.0),
    ("HEATMAP_API_RECENT_DAYS", "7", "api.recent_days", 7.0),
    ("HEATMAP_API_RECENT_REACH_M", "300", "api.recent_reach_m", 300.0),
    ("HEATMAP_API_INDEX_CHECK_MS", "50", "api.index_check_ms", 50),
    ("HEATMAP_API_HEX_MIN_SUBSCRIBERS", "4", "api.hex_min_subscribers", 4),
    ("HEATMAP_API_HEX_WINDOW_DAYS", "10", "api.hex_window_days", 10.0),
    ("HEATMAP_API_HEX_CACHE_S", "5", "api.hex_cache_s", 5.0),
    ("HEATMAP_API_KEY_CACHE_S", "2", "api.key_cache_s", 2.0),
    ("HEATMAP_API_AUTH_FAIL_LIMIT", "9", "api.auth_fail_limit", 9),
    ("HEATMAP_API_AUTH_FAIL_WINDOW_S", "30", "api.auth_fail_window_s", 30.0),
    ("HEATMAP_API_GC_FREEZE", "0", "api.gc_freeze", False),
    ("HEATMAP_API_LEAFLET_URL", "/leaflet", "api.leaflet_url", "/leaflet"),
    ("HEATMAP_TILES_URL", "https://t/{z}/{x}/{y}.png", "api.tiles_url", "https://t/{z}/{x}/{y}.png"),
    ("HEATMAP_TILES_ATTRIBUTION", "OSM", "api.tiles_attribution", "OSM"),
    ("HEATMAP_API_TILES_URL", "https://u/{z}/{x}/{y}.png", "api.tiles_url", "https://u/{z}/{x}/{y}.png"),
    ("HEATMAP_API_TILES_ATTRIBUTION", "mine", "api.tiles_attribution", "mine"),
    ("HEATMAP_QUIET_HOURS", "22-8", "closeout.quiet_hours", "22-8"),
    ("HEATMAP_SMS_MAX_ATTEMPTS", "3", "closeout.sms_max_attempts", 3),
    ("HEATMAP_SMS_BACKOFF_S", "10", "closeout.sms_backoff_s", 10.0),
    ("HEATMAP_SMS_BACKOFF_MAX_S", "100", "closeout.sms_backoff_max_s", 100.0),
    ("HEATMAP_SMS_CONFIRM_AFTER_S", "60", "closeout.sms_confirm_after_s", 60.0),
    ("HEATMAP_SMS_SPOOL", "/var/spool/sms.jsonl", "closeout.sms_spool", Path("/var/spool/sms.jsonl")),
    ("HEATMAP_PUBLIC_URL", "https://tk.example.ru", "closeout.public_url", "https://tk.example.ru"),
    ("HEATMAP_NOTIFY_INTERVAL_S", "5", "closeout.notify_interval_s", 5.0),
    ("HEATMAP_SMS_LINK_DAYS", "3", "closeout.sms_link_days", 3.0),
    ("HEATMAP_SMS_REPLY_DAYS", "4", "closeout.sms_reply_days", 4.0),
    ("HEATMAP_SMS_TEMPLATES", "/etc/tk/sms.toml", "closeout.sms_templates", Path("/etc/tk/sms.toml")),
    ("HEATMAP_KANNEL_URL", "http://k:13013/x", "closeout.kannel_url", "http://k:13013/x"),
    ("HEATMAP_KANNEL_USER", "tk", "closeout.kannel_user", "tk"),
    ("HEATMAP_KANNEL_PASSWORD", "pw", "closeout.kannel_password", "pw"),
    ("HEATMAP_SMS_SENDER", "TK", "closeout.sms_sender", "TK"),
    ("HEATMAP_SMS_CALLBACK_URL", "http://api:8000", "closeout.sms_callback_url", "http://api:8000"),
    ("HEATMAP_SMS_CALLBACK_KEY", "hm_cb", "closeout.sms_callback_key", "hm_cb"),
    ("HEATMAP_SMS_GATEWAY_KEY", "gw-key", "closeout.sms_gateway_key", "gw-key"),
]
#: Variables of the test suite, not of the product.
TEST_ONLY = {"HEATMAP_TEST_PG_DSN", "HEATMAP_TEST_REQUIRE_ALL"}


def _field(settings: Settings, dotted: str) -> object:
    value: object = settings
    for part in dotted.split("."):
        value = getattr(value, part)
    reveal = getattr(value, "get_secret_value", None)
    return reveal() if reveal is not None else value


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("HEATMAP_") and name not in TEST_ONLY:
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.mark.parametrize(("name", "raw", "where", "expected"), DOCUMENTED, ids=[d[0] for d in DOCUMENTED])
def test_every_documented_variable_lands_in_its_field(
    clean_env: pytest.MonkeyPatch, name: str, raw: str, where: str, expected: object
) -> None:
    default = _field(wiring.settings(), where)
    assert default != expected, "choose a value that differs from the default"
    clean_env.setenv(name, raw)
    assert _field(wiring.settings(), where) == expected


def test_the_table_covers_every_variable_the_readme_and_the_code_name() -> None:
    texts = [ROOT / "README.md", ROOT / "SECURITY.md", *PACKAGE.rglob("*.py")]
    named = {m for p in texts for m in re.findall(r"HEATMAP_[A-Z0-9_]+", p.read_text(encoding="utf-8"))}
    families = {m for m in named if m.endswith("_")}  # HEATMAP_SMS_* and the like
    assert named - families - TEST_ONLY - {wiring.SERVED_SETTINGS} - {d[0] for d in DOCUMENTED} == set()


def test_options_and_flat_fields_go_on_top_of_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HEATMAP_DB", "sqlite:///env.db")
    clean_env.setenv("HEATMAP_SMS_SPOOL", "env.jsonl")
    given = wiring.settings(db="sqlite:///option.db", sms_spool=None, city="Череповец")
    assert (given.store.db, str(given.closeout.sms_spool), given.city) == (
        "sqlite:///option.db",
        "env.jsonl",
        "Череповец",
    )
    assert wiring.services(db="sqlite:///option.db").configured_db() == "sqlite:///option.db"
    assert wiring.services().configured_db() == "sqlite:///env.db"
    clean_env.delenv("HEATMAP_DB")
    assert wiring.services().configured_db() is None


def test_a_bad_variable_is_refused_by_name(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HEATMAP_API_INDEX_CHECK_MS", "soon")
    with pytest.raises(ConfigError, match="index_check_ms"):
        wiring.settings()


def test_services_are_built_once_and_the_store_closed_once(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HEATMAP_DB", f"sqlite:///{tmp_path / 'w.db'}")
    services = wiring.services()
    assert services.store is services.store
    assert services.policy is services.policy
    assert services.templates is services.templates
    assert services.sms_templates is services.sms_templates
    assert services.geocoder() is None  # no gazetteer named
    assert services.open_store() is not services.store
    services.close()
    assert services.store_url.endswith("w.db")


def test_the_clock_is_the_services_own() -> None:
    fixed = datetime(2026, 1, 2, 3, tzinfo=UTC)
    services = wiring.Services(Settings(), clock=lambda: fixed)
    assert services.now() == fixed
    assert services.now(datetime(2026, 5, 1)) == datetime(2026, 5, 1, tzinfo=UTC)


def test_serve_hands_the_workers_every_setting_secrets_included(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HEATMAP_KANNEL_PASSWORD", "pw-1")
    clean_env.setenv("HEATMAP_TILES_URL", "https://t/{z}/{x}/{y}.png")
    chosen = wiring.settings(db="sqlite:///served.db", city="Вологда")
    wiring.hand_to_workers(chosen)
    assert wiring.handed_settings() == chosen.model_copy(
        update={"api": chosen.api.model_copy(update={"gc_freeze": True})}
    )
    handed = json.loads(os.environ.pop(wiring.SERVED_SETTINGS))
    assert handed["store"]["db"] == "sqlite:///served.db"
    assert handed["closeout"]["kannel_password"] == "pw-1"
    assert handed["api"]["gc_freeze"] is True  # a server freezes unless told otherwise
    clean_env.setenv("HEATMAP_DB", "sqlite:///not-this.db")
    back = wiring.settings(**handed)
    assert back.store.db == "sqlite:///served.db"
    assert back.api.tiles_url == "https://t/{z}/{x}/{y}.png"
    assert back.closeout.kannel_password is not None
    assert back.closeout.kannel_password.get_secret_value() == "pw-1"
    assert back.city == "Вологда"


def _reads_environment(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
            found.append(f"os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in ("os", "pydantic_settings"):
            found += [f"{node.module}.{a.name}" for a in node.names if a.name != "PathLike"]
        elif isinstance(node, ast.keyword) and node.arg == "envvar":
            found.append("typer envvar=")
        elif isinstance(node, ast.Name) and node.id in ("load_settings", "load_closeout_settings"):
            found.append(node.id)
    return found


#: Modules of other parts not yet taking their settings from the wiring (they call
#: ``heatmap.settings.load_settings``); each is a known debt, listed so none is added.
NOT_YET_WIRED: set[str] = set()
#: The settings module, its old names, and the test runner that restores the environment.
ALLOWED = {"heatmap/wiring.py", "heatmap/settings.py", "heatmap/closeout/settings.py"}


def test_no_module_but_the_wiring_reads_the_environment() -> None:
    readers = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in ALLOWED or name.startswith("heatmap/devtools/cli_runner"):
            continue
        found = _reads_environment(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            readers[name] = sorted(set(found))
    assert set(readers) <= NOT_YET_WIRED, {k: v for k, v in readers.items() if k not in NOT_YET_WIRED}


def test_stores_opened_by_the_services_use_the_configured_key(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    from heatmap.store import open_store

    url = f"sqlite:///{tmp_path / 'k.db'}"
    own = open_store(url)
    own.upgrade()
    clean_env.setenv("HEATMAP_SECRET_KEY", "an operator key of 32 characters")
    keyed = wiring.services(db=url).open_store()
    try:
        assert keyed.secret() == b"an operator key of 32 characters"
        assert own.secret() != keyed.secret(), "a store opened without the key keeps its own"
    finally:
        keyed.close()
        own.close()


def test_the_sms_router_takes_its_templates_from_the_apps_settings(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from fastapi import FastAPI

    from heatmap.api import create_app
    from heatmap.api.sms import _sms_templates

    clean_env.setenv("HEATMAP_PUBLIC_URL", "https://env.example.ru")
    app = create_app(Settings(db=f"sqlite:///{tmp_path / 's.db'}", public_url="https://app.example.ru"))
    templates = _sms_templates(SimpleNamespace(app=app))  # type: ignore[arg-type]
    assert templates.public_url == "https://app.example.ru"
    assert templates is app.state.api.services.sms_templates, "built once, by the app's services"
    bare = _sms_templates(SimpleNamespace(app=FastAPI()))  # type: ignore[arg-type]
    assert bare.public_url == "https://env.example.ru", "a bare app: the environment's settings"


def test_the_demo_closeout_takes_the_wired_settings_else_the_defaults(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    from heatmap.devtools.closeout_demo import demo_settings

    clean_env.setenv("HEATMAP_SMS_MAX_ATTEMPTS", "2")
    spool = tmp_path / "sms.jsonl"
    wired = demo_settings(wiring.settings().closeout, spool=spool, public_url="http://demo")
    assert (wired.sms_max_attempts, wired.sms_spool, wired.quiet_hours, wired.public_url) == (
        2,
        spool,
        "21-9",
        "http://demo",
    )
    alone = demo_settings(None, spool=spool, public_url="http://demo")
    assert (alone.sms_max_attempts, alone.sms_spool, alone.quiet_hours) == (5, spool, "21-9"), (
        "without the wiring's settings: the defaults, not the environment's"
    )
