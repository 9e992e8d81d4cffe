"""The rating page a close-out SMS links to, from its template (``templates/rating.html``,
autoescaped): the question with its choices, and the one-line answers (thanks, a link used
or expired, no choice made). The routes are in :mod:`heatmap.api.sms`."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from heatmap.api.map_page import PAGE_HEADERS, PAGES
from heatmap.closeout.links import LinkError

#: The answers offered, best first; 0 says the problem is still there.
CHOICES = (
    ("5", "5 — отлично"),
    ("4", "4 — хорошо"),
    ("3", "3 — удовлетворительно"),
    ("2", "2 — плохо"),
    ("1", "1 — очень плохо"),
    ("0", "Проблема не решена"),
)


def question(request: Request, token: str, address: str) -> Response:
    """The page with the question, posting to ``/r/{token}``."""
    context = {"form": True, "token": token, "address": address, "choices": CHOICES}
    return PAGES.TemplateResponse(request, "rating.html", context, headers=PAGE_HEADERS)


def message(request: Request, text: str, *, status_code: int = 200) -> Response:
    """A page saying one thing; a problem (status 400 and over) is marked as an alert."""
    context = {"form": False, "message": text, "problem": status_code >= 400}
    return PAGES.TemplateResponse(
        request, "rating.html", context, status_code=status_code, headers=PAGE_HEADERS
    )


def link_error(request: Request, exc: LinkError) -> Response:
    """410 for a link used or expired, 404 for one that is not valid."""
    if exc.reason in ("expired", "used"):
        return message(request, "Ссылка уже использована или срок её действия истёк.", status_code=410)
    return message(request, "Ссылка недействительна.", status_code=404)


def no_choice(request: Request) -> Response:
    return message(request, "Выберите оценку от 1 до 5 или «Проблема не решена».", status_code=400)


def thanks(request: Request, *, persists: bool) -> Response:
    if persists:
        return message(request, "Спасибо! Мы передали инженерам, что проблема осталась.")
    return message(request, "Спасибо за оценку!")
