"""Stored model answers: the extraction's checkpoint.

Every validated answer is written in its own short transaction the moment it arrives
(:func:`store_answer`), keyed by :func:`pipeline.llm.request_key` of its request; before asking the model, the
extraction looks the key up (:func:`stored_answer`). A process killed at any moment therefore loses at most the
calls in flight, and extracting the same text again with the same model, prompt and schema makes no call.
Failed calls are never stored: they are asked again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from pipeline.store.engine import transaction
from pipeline.store.tables import ModelAnswer


def stored_answer(engine: Engine, key: str) -> dict[str, Any] | None:
    """The stored answer of request ``key`` (hex SHA-256) as :meth:`pipeline.llm.LLMResult.to_dict` wrote it,
    or ``None`` when none is stored."""
    with transaction(engine) as s:
        row = s.get(ModelAnswer, key)
        return None if row is None else dict(row.result)


def store_answer(engine: Engine, key: str, result: dict[str, Any], *, document_id: str | None, chunk_seq: int | None,
                 part: str | None, model_id: str, model_sha256: str | None, prompt_version: str,
                 response_model: str) -> None:
    """Keep the answer ``result`` (:meth:`pipeline.llm.LLMResult.to_dict`) of request ``key``, replacing any
    answer stored under the same key (a call made again on purpose, ``--no-cache``). One transaction; when
    another process stores the same key at the same moment, its answer (to the very same request) is kept."""
    try:
        with transaction(engine, immediate=True) as s:
            s.execute(delete(ModelAnswer).where(ModelAnswer.key == key))
            s.add(ModelAnswer(key=key, document_id=document_id, chunk_seq=chunk_seq, part=part, model_id=model_id,
                              model_sha256=model_sha256, prompt_version=prompt_version,
                              response_model=response_model, result=result))
    except IntegrityError:
        pass
