"""Seeded Monte Carlo in blocks: identical results serially, in any chunking, or on a Dask cluster.

Paths are cut into fixed blocks (the block size depends only on the problem size); block b draws
from ``numpy.random.Generator(PCG64(SeedSequence(seed, spawn_key=(b,))))``. A chunk is a run of
whole blocks, so the answer depends on the seed alone, never on the chunk size or on where and in
what order chunks run. Dask is optional: ``client`` may be a ``dask.distributed.Client``, the
string "local" (a local cluster) or a scheduler address.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: random numbers drawn per block (paths x names); sets the block size for a given pool
BLOCK_DRAWS = 1 << 20


def block_size(names: int) -> int:
    """Paths per block for a pool of ``names`` (depends on nothing else)."""
    return max(1, min(4096, BLOCK_DRAWS // max(names, 1)))


def generator(seed: int, block: int) -> np.random.Generator:
    """The random generator of block ``block`` of a run seeded with ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))


def run(
    fn: Callable,
    n: int,
    block: int,
    seed: int,
    *,
    chunk: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    client=None,
    threads: int | None = None,
    **kwargs,
) -> np.ndarray:
    """Concatenate ``fn(generator(seed, b), paths_in_block_b, **kwargs)`` over all blocks, in order.

    ``chunk`` paths (rounded up to whole blocks) go to one task; ``progress(done, total)`` counts
    chunks; ``threads`` runs chunks on that many threads (the result is the same: blocks keep their
    seeds and their order).
    """
    blocks = [(b, min(block, n - start)) for b, start in enumerate(range(0, n, block))]
    per = max(1, -(-(chunk or 8 * block) // block))
    chunks = [blocks[i : i + per] for i in range(0, len(blocks), per)]
    if client is None:
        from concurrent.futures import ThreadPoolExecutor

        workers = min(threads or 1, len(chunks))
        out = []
        # numpy releases the GIL while drawing and in array arithmetic: threads use every core
        with ThreadPoolExecutor(max_workers=workers) as pool:
            mapper = pool.map if workers > 1 else map
            for k, result in enumerate(mapper(lambda c: _run_blocks(fn, seed, c, kwargs), chunks)):
                out.append(result)
                if progress:
                    progress(k + 1, len(chunks))
        return np.concatenate(out)
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise ValueError(
            "client: Dask is not installed; pip install 'npl-xl[dask]' or run without a client"
        ) from None
    own = None
    if isinstance(client, str):
        own = client = Client() if client == "local" else Client(client)
    try:
        futures = [
            client.submit(_run_blocks, fn, seed, part, kwargs, pure=False) for part in chunks
        ]
        for k, _ in enumerate(as_completed(futures)):
            if progress:
                progress(k + 1, len(chunks))
        return np.concatenate(client.gather(futures))
    finally:
        if own is not None:
            own.close()


def _run_blocks(fn, seed, blocks, kwargs) -> np.ndarray:
    return np.concatenate([fn(generator(seed, b), m, **kwargs) for b, m in blocks])
