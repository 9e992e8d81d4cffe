"""What the OpenAPI document says of the SMS routes (:mod:`heatmap.api.sms`) beyond their
signatures: the bodies FastAPI cannot infer (Kannel's text, the rating form) and the answers."""

from __future__ import annotations


def json_error(description: str) -> dict[str, object]:
    return {"description": description, "content": {"application/json": {"schema": {"type": "object"}}}}


def html_answer(description: str) -> dict[str, object]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


GATEWAY_ERRORS: dict[int | str, dict[str, object]] = {
    401: json_error("No API key, or an unknown, malformed or revoked one"),
    403: json_error("The key's role is not gateway or admin"),
    429: {
        **json_error("Too many failed authentications from this client"),
        "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    },
    422: json_error("A required field is missing or malformed"),
}
TEXT_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "text/plain": {"schema": {"type": "string", "maxLength": 1600}},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"from": {"type": "string"}, "text": {"type": "string"}},
                }
            },
        },
    }
}
PAGE_ANSWERS: dict[int | str, dict[str, object]] = {
    200: html_answer("The page"),
    404: html_answer("The link is not valid"),
    410: html_answer("The link has expired or was used"),
}
FORM_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["rating"],
                    "properties": {
                        "rating": {"type": "string", "enum": ["0", "1", "2", "3", "4", "5"]},
                        "comment": {"type": "string", "maxLength": 500},
                    },
                }
            }
        },
    }
}
