"""Audit redaction finds secrets by the configured values and well-known key shapes, never by guessing at words
(issue #14, item 6): contract text in a prompt is stored as the model saw it."""

from __future__ import annotations

import pytest

import audit
from audit.events import LLM_REQUEST

CONTRACT = (
    "4. Basic Services. Provider shall perform the Basic Services described in Schedule A. "
    "5. Bearer Instruments. Any Bearer Bonds held in escrow remain the property of the Customer. "
    "6. Security. The Password shall be kept confidential; API key rotation is the Customer's duty. "
    "7. Authorization: Each party represents that it has full authority to enter into this Agreement. "
    "8. Token Payments. The Access Token Fee is payable in arrears. Secret Recipes remain confidential."
)


def test_contract_words_are_stored_unchanged(engine):
    e = audit.append(engine, type=LLM_REQUEST, actor="m", document_id="d",
                     payload={"gen_ai.input.messages": [{"role": "user", "content": CONTRACT}]})
    stored = audit.get(engine, e.id).payload["gen_ai.input.messages"][0]["content"]
    assert stored == CONTRACT
    assert audit.verify(engine).ok


@pytest.mark.parametrize(("text", "expected"), [
    ("Basic Services", "Basic Services"),
    ("the Bearer Bonds", "the Bearer Bonds"),
    ("Authorization: Each party represents", "Authorization: Each party represents"),
    ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [REDACTED]"),
    ('{"authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"}', '{"authorization": "Bearer [REDACTED]"}'),
    ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl seen", "token [REDACTED] seen"),
    ("GET /v1?api_key=Zq7rT2pW9xY4&model=m", "GET /v1?api_key=[REDACTED]&model=m"),
    ('{"password": "hunter2-correct"}', '{"password": "[REDACTED]"}'),
    ("Password: Licensor shall provide", "Password: Licensor shall provide"),
    ("https://svc:pa55word@llm.example/v1", "https://svc:[REDACTED]@llm.example/v1"),
    ("key hf_abcdefghijklmnopqrstuvwxyzABCDEFGH used", "key [REDACTED] used"),
])
def test_secrets_are_found_by_shape_not_by_word(text, expected):
    assert audit.redact_text(text) == expected


def test_a_configured_secret_without_a_known_shape_is_redacted_wherever_it_occurs():
    secret = "Qv8mT3kLzP0wR6nY2bXc"  # no known prefix: only the configured value finds it
    assert audit.redact_text(f"server said: invalid key {secret}.") == f"server said: invalid key {secret}."
    audit.add_secret(secret)
    assert audit.redact_text(f"server said: invalid key {secret}.") == "server said: invalid key [REDACTED]."
    payload, _ = audit._redact.prepare_payload({"error.message": f"bad {secret}", "nested": [f"x{secret}y"]})
    assert payload == {"error.message": "bad [REDACTED]", "nested": ["x[REDACTED]y"]}
    audit.add_secret("short")  # shorter than MIN_SECRET_CHARS: would hit words; not searched for
    assert audit.redact_text("a short clause") == "a short clause"
