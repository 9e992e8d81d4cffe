"""The demo's close-out step: resolve spots, send through the file gateway, simulate answers.

Times follow the samples' clock: one spot resolved in the afternoon is told at
once; three resolved at 22:00 Moscow time wait for the morning (quiet hours). The
phone side — delivery reports and replies — is simulated through the same service
functions the SMS router calls, with a fixed seed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from heatmap.closeout.gateways import FileGateway
from heatmap.closeout.links import RatingLinks, link_key
from heatmap.closeout.notify import run_once
from heatmap.closeout.report import closeout_report
from heatmap.closeout.templates import load_sms_templates
from heatmap.core.policy import Policy
from heatmap.service import workflow
from heatmap.service.replies import handle_reply, rate_by_link, record_delivery
from heatmap.settings import CloseoutSettings
from heatmap.store.base import Store

__all__ = ["demo_settings", "run_closeout"]

#: What the simulated clients answer (the demo shows the comment filter at work) ...
REPLIES = [
    "5",
    "5 Спасибо, всё летает!",
    "4",
    "4 стало лучше, но в подъезде слабо",
    "5 спасибо",
    "3 так себе",
    "5",
    "4",
    "Пятёрка!",
    "2 опять пропадает вечером",
    "5 отлично, Иван Петрович",
    "стоп",
    "а когда компенсация?",
]
#: ... and at one spot the fix did not hold.
STILL_BROKEN = ["0 до сих пор нет 4G, звоните 8 (921) 123-45-67", "не работает, бл@ть", "нет", "3 чуть лучше"]


def demo_settings(given: CloseoutSettings | None, *, spool: Path, public_url: str) -> CloseoutSettings:
    """The close-out settings of the demo: ``given`` (the wiring's, as ``heatmap demo`` passes
    them), else the defaults, with the demo's spool, quiet hours and public URL on top."""
    if given is None:  # the defaults, no environment read
        return CloseoutSettings.model_construct(sms_spool=spool, quiet_hours="21-9", public_url=public_url)
    return given.model_copy(update={"sms_spool": spool, "quiet_hours": "21-9", "public_url": public_url})


def _resolve(store: Store, spot_ids: list[str], *, now: datetime, policy: Policy) -> None:
    """An engineer takes and resolves ``spot_ids`` at ``now``."""
    for spot_id in spot_ids:
        workflow.transition(store, spot_id, "take", actor="engineer.sidorov", now=now, policy=policy)
        workflow.transition(
            store,
            spot_id,
            "resolve",
            actor="engineer.sidorov",
            now=now,
            policy=policy,
            cause="capacity",
            note="second carrier added",
        )


def run_closeout(
    store: Store,
    *,
    policy: Policy,
    now: datetime,
    out_dir: Path,
    public_url: str = "http://127.0.0.1:8000",
    closeout: CloseoutSettings | None = None,
) -> tuple[dict[str, float | int | None], list[tuple[str, ...]]]:
    """Resolve spots, run the SMS job through the day and night, answer; the KPIs and a few
    of the stored comments (masked). ``closeout``: the settings of the wiring (see
    :func:`demo_settings`)."""
    spool = out_dir / "sms-outbox.jsonl"
    spool.unlink(missing_ok=True)
    settings = demo_settings(closeout, spool=spool, public_url=public_url)
    templates = load_sms_templates(public_url=public_url)
    gateway = FileGateway(spool)
    afternoon = now + timedelta(hours=4)  # 19:00 in Vologda (UTC+3)
    night = now + timedelta(hours=7)  # 22:00
    morning = now + timedelta(hours=18, minutes=30)  # 09:30 next day

    queued = store.load_spots(statuses=["queued"]).sort_values(["priority", "id"], ascending=False)
    late = [str(s) for s in queued["id"].head(3)]
    run_once(store, gateway, now=afternoon, settings=settings, templates=templates)
    _resolve(store, late, now=night, policy=policy)
    run_once(store, gateway, now=night, settings=settings, templates=templates)
    run_once(store, gateway, now=morning, settings=settings, templates=templates)

    rng = random.Random(8)
    sent = store.load_outbox(statuses=["sent"])
    for row in sent.itertuples():
        at = pd.Timestamp(row.sent_at).to_pydatetime() + timedelta(seconds=20)
        record_delivery(store, int(row.id), 8, at=at)
        record_delivery(
            store, int(row.id), 2 if rng.random() < 0.05 else 1, at=at + timedelta(seconds=rng.randint(5, 90))
        )
    answered = sent.sample(frac=0.6, random_state=8) if len(sent) else sent
    links = RatingLinks(link_key(store.secret()))
    for i, row in enumerate(answered.itertuples()):
        at = pd.Timestamp(row.sent_at).to_pydatetime() + timedelta(minutes=rng.randint(2, 240))
        if i % 7 == 3:  # some answer on the rating page instead of by SMS
            token = links.issue(int(row.id), at + timedelta(days=14))
            rate_by_link(
                store,
                links,
                token,
                answer=str(rng.choice([4, 5])),
                comment="Сеть работает, спасибо",
                now=at,
                policy=policy,
            )
        else:
            choices = STILL_BROKEN if late and row.spot_id == late[-1] else REPLIES
            handle_reply(
                store,
                msisdn=str(row.msisdn),
                text=rng.choice(choices),
                now=at,
                policy=policy,
                templates=templates,
            )
    report = closeout_report(store, now=morning + timedelta(hours=6))
    comments = store.load_ratings().dropna(subset=["comment"]).drop_duplicates("comment").head(8)
    shown: list[tuple[str, ...]] = [
        (
            str(r.spot_id),
            "—" if pd.isna(r.rating) else str(r.rating),
            "да" if r.persists else "",
            str(r.comment),
        )
        for r in comments.itertuples()
    ]
    return report, shown
