"""``heatmap keys create|list|revoke`` through the CLI's entry point (in-process), on every store kind."""

from __future__ import annotations

import json

from heatmap.api.keys import verify_key
from heatmap.devtools.cli_runner import run_heatmap as heatmap
from heatmap.store import open_store


def test_keys_create_list_revoke(store_url: str) -> None:
    assert heatmap("init", db=store_url).returncode == 0
    made = heatmap("keys", "create", "--role", "engineer", "--name", "ivanov", db=store_url)
    assert made.returncode == 0, made.stderr
    key = made.stdout.split()[-1]
    assert key.startswith("hm_") and made.stdout.strip() == key, "the key is the last word"

    store = open_store(store_url)
    try:
        principal = verify_key(store, key)
        assert principal is not None and (principal.role, principal.actor) == ("engineer", "ivanov")

        listed = heatmap("keys", "list", "--json", db=store_url)
        [row] = json.loads(listed.stdout)["keys"]
        assert (row["role"], row["name"], row["revoked_at"]) == ("engineer", "ivanov", None)
        assert key.split("_", 2)[2] not in listed.stdout, "never the secret"

        assert heatmap("keys", "revoke", row["key_id"], db=store_url).returncode == 0
        assert verify_key(store, key) is None
        again = heatmap("keys", "revoke", row["key_id"], db=store_url)
        assert again.returncode == 2 and "no active key" in again.stderr
    finally:
        store.close()


def test_keys_create_refuses_an_unknown_role(store_url: str) -> None:
    assert heatmap("init", db=store_url).returncode == 0
    refused = heatmap("keys", "create", "--role", "boss", db=store_url)
    assert refused.returncode == 2 and "unknown role" in refused.stderr
