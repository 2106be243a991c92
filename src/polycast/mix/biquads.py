"""A cascade of biquads, streamed, with numpy alone: what ``scipy.signal.sosfilt`` does.

scipy.signal takes longer to import (some 900 modules) than K-weighting an hour of audio takes,
and every command that mixes paid for it. The cascade is one linear system with a state of two
numbers per section, ``s' = A s + B x``, ``y = C s + D x``. Over a block of ``L`` samples its
output is a matrix product: the block's own samples through the impulse response (an ``L x L``
triangle) plus the state it starts in, seen through ``C A^k``; the state one block hands the next
is ``A^L s`` plus the block's samples through ``A^(L-1-k) B``. The states the blocks start in
form a linear recurrence too, solved for ``M`` blocks of a group, then for ``G`` groups, as
products with block-Toeplitz matrices of the powers of ``A^L`` and ``A^(L M)``: a block of the
mix (``SPAN`` samples) is filtered in a dozen numpy calls, with no loop in Python over its blocks
or groups (the loops they replace took half the time). The matrices are small (at most 256 x 256)
and multiplied in stacks, one product per group: never big enough for the BLAS to start threads,
which on a busy machine cost more than they save. The system is stable, so its powers only
shrink. Output agrees with sosfilt's to ~1e-12.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

L = 32
"""Samples per block."""
M = 32
"""Blocks per group whose starting states are found together."""
G = 64
"""Groups filtered at once: ``SPAN`` samples, a block of the mix."""
SPAN = L * M * G


def _state_space(sos: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """Return ``(A, B, C, D)`` of the cascade (each section in transposed direct form II)."""
    a = np.zeros((0, 0))
    b = np.zeros(0)
    c = np.zeros(0)
    d = 1.0
    for b0, b1, b2, _, a1, a2 in sos:
        sa = np.array([[-a1, 1.0], [-a2, 0.0]])
        sb = np.array([b1 - a1 * b0, b2 - a2 * b0])
        k = len(b)
        grown = np.zeros((k + 2, k + 2))
        grown[:k, :k] = a
        grown[k:, :k] = np.outer(sb, c)
        grown[k:, k:] = sa
        a, b = grown, np.concatenate([b, sb * d])
        c, d = np.concatenate([b0 * c, [1.0, 0.0]]), float(b0 * d)
    return a, b, c, d


class _Matrices:
    """What a cascade's block filtering is made of: the same for every meter at one rate."""

    def __init__(self, sos: FloatArray) -> None:
        a, b, c, d = _state_space(sos)
        order = len(b)
        powers = [np.eye(order)]
        for _ in range(L):
            powers.append(a @ powers[-1])
        response = [d] + [float(c @ powers[k - 1] @ b) for k in range(1, L)]
        self.triangle = np.zeros((L, L))
        """``y = x @ triangle``: a block's output from its own samples."""
        for i in range(L):
            self.triangle[: i + 1, i] = response[i::-1]
        self.seen = np.array([c @ powers[k] for k in range(L)]).T
        """``(order, L)``: a block's output from the state it starts in."""
        self.into = np.array([powers[L - 1 - k] @ b for k in range(L)])
        """``(L, order)``: the state a block hands on, from its samples."""
        self.partial = [np.array([powers[r - 1 - k] @ b for k in range(r)]) for r in range(L)]
        """The state after the first ``r`` samples of a block, from those samples."""
        self.powers = powers
        self.order = order
        step = _powers(powers[L], M + 1)  # A^(L m): from a block to the block m further on
        self.within = _toeplitz(step, M, M + 1)
        """``(M order, (M + 1) order)``: from the states a group's blocks hand on to the state
        each block starts in (were the group's own start zero), and, last, the group's end."""
        self.group = np.concatenate(step[:M], axis=0).T
        """``(order, M order)``: from a group's starting state to that of each of its blocks."""
        leap = _powers(step[M], G + 1)  # A^(L M g): from a group to the group g further on
        self.across = _toeplitz(leap, G, G)
        """``(G order, G order)``: from the groups' ends to the state each group starts in."""
        self.start = np.concatenate(leap[:G], axis=0).T
        """``(order, G order)``: from the first group's starting state to each group's."""
        self.leap = leap[1]


def _powers(matrix: FloatArray, count: int) -> list[FloatArray]:
    """Return ``matrix`` to the powers 0 to ``count - 1``."""
    result = [np.eye(len(matrix))]
    for _ in range(count - 1):
        result.append(matrix @ result[-1])
    return result


def _toeplitz(powers: Sequence[FloatArray], rows: int, columns: int) -> FloatArray:
    """Return the block matrix that takes ``rows`` states to ``columns`` sums of them.

    Column block ``m`` is the sum over ``j < m`` of ``powers[m - 1 - j]`` applied to state ``j``
    (states as row vectors, on the left).
    """
    order = len(powers[0])
    result = np.zeros((rows * order, columns * order))
    for j in range(rows):
        for m in range(j + 1, columns):
            result[j * order : (j + 1) * order, m * order : (m + 1) * order] = powers[m - 1 - j].T
    return result


@functools.lru_cache(maxsize=16)
def _matrices(sos: bytes, sections: int) -> _Matrices:
    """Derive the matrices of ``sections`` second-order sections, once per process per set."""
    return _Matrices(np.frombuffer(sos, dtype=np.float64).reshape(sections, 6))


class Biquads:
    """Second-order sections (rows ``b0 b1 b2 1 a1 a2``, as sosfilt takes them), fed in blocks.

    The state carries from one ``filter`` call to the next, so a signal fed in pieces is filtered
    as it would be whole. The matrices are shared by every cascade of the same sections: a build
    makes a loudness meter for each voice of each run, and each pass, all at one rate, and
    deriving them took longer than filtering a short run.
    """

    def __init__(self, sos: FloatArray, channels: int = 1) -> None:
        """Take the block matrices of ``sos`` and a zero state for every channel."""
        sections = np.ascontiguousarray(sos, dtype=np.float64)
        self._m = _matrices(sections.tobytes(), len(sections))
        self.state = np.zeros((channels, self._m.order))

    def filter(self, frames: FloatArray) -> FloatArray:
        """Filter ``frames`` (shape (frames, channels)) and return them filtered."""
        out = np.empty(frames.shape, dtype=np.float64)
        for ch in range(frames.shape[1]):
            state = self.state[ch]
            for at in range(0, frames.shape[0], SPAN):
                piece = frames[at : at + SPAN, ch]
                out[at : at + len(piece), ch], state = self._run(piece, state)
            self.state[ch] = state
        return out

    def _run(self, x: FloatArray, state: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Filter at most ``SPAN`` samples of one channel from ``state``.

        Returns the output and the state after it. Every step is a matrix product.
        """
        m, order = self._m, len(state)
        count = len(x)
        groups = max(1, -(-count // (L * M)))
        padded = np.zeros(groups * L * M)
        padded[:count] = x
        # Every product is a stack of small ones, one per group: a single large one would cross
        # OpenBLAS's threshold and wake its threads, which cost more than they save here.
        blocks = padded.reshape(groups, M, L)
        handed = (blocks @ m.into).reshape(groups, 1, M * order)  # each block's samples, as state
        sums = (handed @ m.within).reshape(groups, -1)  # block starts, were the group's zero; end
        ends = sums[:, M * order :].reshape(1, -1)
        width = groups * order
        starts = ends @ m.across[:width, :width] + state @ m.start[:, :width]
        local = sums[:, : M * order] + starts.reshape(groups, order) @ m.group
        local = local.reshape(groups, M, order)  # the state every block starts in
        out = blocks @ m.triangle + local @ m.seen
        local = local.reshape(-1, order)
        block, r = divmod(count, L)
        if block < len(local):
            tail = padded[block * L : block * L + r]
            after = m.powers[r] @ local[block] + (tail @ m.partial[r] if r else 0.0)
        else:  # a whole number of groups: the last one's end
            after = m.leap @ starts[0, -order:] + ends[0, -order:]
        return out.reshape(-1)[:count], after
