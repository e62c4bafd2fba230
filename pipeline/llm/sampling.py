"""Grammar-constrained greedy sampling at the speed of free decoding, for the ``local`` backend.

llama-cpp-python 0.3.36 samples a constrained answer with a chain of llama.cpp samplers (repeat penalty,
grammar, greedy) and applies the grammar to every token of the vocabulary at every step: for Qwen2.5
that is 151,936 candidate tokens checked against the grammar's stacks per output token, which costs about
80 % of the decoding speed. :class:`GreedyGrammarSampler` gives the same tokens with one check per step
in the common case, as llama.cpp's own ``common_sampler_sample`` does (``grammar_first = false``):

1. apply the repeat penalty to the logits (as ``llama_sampler_penalties``: each token among the last
   ``penalty_last_n`` tokens generated in this call has its logit divided by ``penalty_repeat`` when
   positive, else multiplied);
2. take the highest-scoring token and ask the grammar about that one token alone;
3. only when the grammar rejects it, apply the grammar to the whole vocabulary and take the
   highest-scoring token it allows.

At temperature 0 the result is the token the full chain picks (the best allowed token is the best token
when the best token is allowed; ties go to the lower id in both), so answers are unchanged and recorded
answers stay valid. Sampling with a temperature above 0 is not handled here: the caller keeps the
library's chain for it.

Needs llama-cpp-python at run time (imported when a sampler is made); :class:`SamplerStats` counts the
checks and the full-vocabulary fallbacks of one call; :class:`PenaltyWindow` is the repeat penalty.
"""

from __future__ import annotations

import ctypes
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.llm.base import SchemaNotSupported


class PenaltyWindow:
    """llama.cpp's repeat penalty (``llama_sampler_penalties`` with frequency and presence penalties 0):
    each distinct token among the last ``last_n`` tokens added has its logit divided by ``penalty`` when it
    is positive, else multiplied by it (float32, as llama.cpp computes it). ``penalty`` 1.0 or ``last_n``
    0 changes nothing."""

    def __init__(self, penalty: float = 1.0, last_n: int = 64):
        self.penalty = np.float32(penalty)
        self._recent: deque[int] = deque(maxlen=max(last_n, 0))
        self._counts: Counter[int] = Counter()

    def add(self, token: int) -> None:
        """Record a generated token (the oldest leaves the window once it holds ``last_n``)."""
        if self._recent.maxlen == 0:
            return
        if len(self._recent) == self._recent.maxlen:
            old = self._recent[0]
            self._counts[old] -= 1
            if self._counts[old] <= 0:
                del self._counts[old]
        self._recent.append(token)
        self._counts[token] += 1

    def tokens(self) -> set[int]:
        """The distinct tokens the penalty applies to now."""
        return set(self._counts)

    def apply(self, logits: np.ndarray) -> np.ndarray:
        """``logits`` (float32, one per vocabulary token) with the penalty applied: a new array, or
        ``logits`` itself when nothing changes."""
        if self.penalty == np.float32(1.0) or not self._counts:
            return logits
        out = logits.copy()
        ids = np.fromiter(self._counts, dtype=np.intc, count=len(self._counts))
        vals = out[ids]
        out[ids] = np.where(vals <= 0, vals * self.penalty, vals / self.penalty)
        return out


@dataclass
class SamplerStats:
    """What one constrained call cost: ``tokens`` sampled, ``fallbacks`` of them that needed the grammar
    applied to the whole vocabulary (the model's first choice was not allowed)."""

    tokens: int = 0
    fallbacks: int = 0


class GreedyGrammarSampler:
    """Greedy sampling of ``llama`` (a ``llama_cpp.Llama``) constrained by ``grammar`` (a
    ``llama_cpp.LlamaGrammar``), with llama.cpp's repeat penalty over the last ``penalty_last_n`` generated
    tokens. One sampler serves one generation: it holds the grammar's parse state.

    Raises SchemaNotSupported when llama.cpp rejects the grammar, and when the grammar allows no next token
    at all (a grammar that cannot be completed), instead of letting llama.cpp abort the process.
    """

    def __init__(self, llama: Any, grammar: Any, *, penalty_repeat: float = 1.0, penalty_last_n: int = 64):
        import llama_cpp

        self._lc = llama_cpp
        self._n_vocab = int(llama.n_vocab())
        self._smpl = llama_cpp.llama_sampler_init_grammar(
            llama._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8"))
        if not self._smpl:
            raise SchemaNotSupported("llama.cpp rejected the grammar")
        self._window = PenaltyWindow(penalty_repeat, penalty_last_n)
        self._one = (llama_cpp.llama_token_data * 1)()
        self._one_array = llama_cpp.llama_token_data_array(
            data=ctypes.cast(self._one, llama_cpp.llama_token_data_p), size=1, selected=-1, sorted=False)
        self._full: Any = None
        self.stats = SamplerStats()

    def sample(self, ctx: Any, idx: int = -1) -> int:
        """The next token for the logits of output ``idx`` of the llama.cpp context ``ctx`` (``-1``: the
        last); the token is accepted into the grammar and the penalty window."""
        lc = self._lc
        ptr = lc.llama_get_logits_ith(ctx, idx)
        logits = self._window.apply(np.ctypeslib.as_array(ptr, shape=(self._n_vocab,)))
        token = int(np.argmax(logits))
        one = self._one[0]
        one.id, one.logit, one.p = token, float(logits[token]), 0.0
        self._one_array.size, self._one_array.selected = 1, -1
        lc.llama_sampler_apply(self._smpl, ctypes.byref(self._one_array))
        if one.logit == float("-inf"):
            token = self._full_vocabulary(logits)
            self.stats.fallbacks += 1
        lc.llama_sampler_accept(self._smpl, token)
        self._window.add(token)
        self.stats.tokens += 1
        return token

    def _full_vocabulary(self, logits: np.ndarray) -> int:
        from llama_cpp._internals import LlamaTokenDataArray

        if self._full is None:
            self._full = LlamaTokenDataArray(n_vocab=self._n_vocab)
        full = self._full
        full.copy_logits(logits)
        self._lc.llama_sampler_apply(self._smpl, ctypes.byref(full.candidates))
        scores = full.candidates_data.logit[: full.candidates.size]
        best = int(np.argmax(scores))
        if scores[best] == float("-inf"):
            raise SchemaNotSupported("the grammar allows no next token: the schema's grammar cannot be completed")
        return int(full.candidates_data.id[best])

    def close(self) -> None:
        """Free the llama.cpp grammar sampler (safe to call twice)."""
        if self._smpl:
            self._lc.llama_sampler_free(self._smpl)
            self._smpl = None
