#!/usr/bin/env python3
"""Times PyTorch's nn.EmbeddingBag on the shape `recmesh bench kernel` uses, for comparison.

Not part of CI. Needs PyTorch (Debian: apt-get install python3-torch, then run with
/usr/bin/python3). Same protocol as recmesh's bench: a [rows][dim] table, `--batches` distinct
batches of `--bags` bags of exactly `--pool` uniform random ids (so the rows touched do not stay
in cache), warm-up, then `--iterations` forward calls round-robin over the batches. The last line
of stdout is one JSON object with lookups_per_s and gb_per_s (gathered bytes per second).
"""
import argparse
import json
import time

import torch


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--bags", type=int, default=1024)
    p.add_argument("--pool", type=int, default=80)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--mode", choices=["sum", "mean"], default="sum")
    p.add_argument("--dtype", choices=["fp32", "fp16"], default="fp32")
    p.add_argument("--iterations", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--batches", type=int, default=16)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dtype = torch.float32 if a.dtype == "fp32" else torch.float16
    bag = torch.nn.EmbeddingBag(a.rows, a.dim, mode=a.mode, dtype=dtype)
    bag.requires_grad_(False)
    offsets = torch.arange(0, a.bags * a.pool, a.pool, dtype=torch.int64)
    batches = [
        torch.randint(0, a.rows, (a.bags * a.pool,), dtype=torch.int64) for _ in range(a.batches)
    ]
    with torch.inference_mode():
        for i in range(a.warmup):
            bag(batches[i % a.batches], offsets)
        started = time.perf_counter()
        for i in range(a.iterations):
            bag(batches[i % a.batches], offsets)
        seconds = time.perf_counter() - started
    lookups = a.iterations * a.bags * a.pool
    element_bytes = 4 if a.dtype == "fp32" else 2
    print(
        json.dumps(
            {
                "kernel": f"torch-{torch.__version__}-embeddingbag",
                "rows": a.rows,
                "dim": a.dim,
                "bags": a.bags,
                "pool": a.pool,
                "threads": a.threads,
                "dtype": a.dtype,
                "mode": a.mode,
                "iterations": a.iterations,
                "lookups_per_s": lookups / seconds,
                "gb_per_s": lookups * a.dim * element_bytes / seconds / 1e9,
                "ms_per_batch": seconds / a.iterations * 1000,
            }
        )
    )


if __name__ == "__main__":
    main()
