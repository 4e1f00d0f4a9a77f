#!/usr/bin/env python3
"""Times PyTorch's CPU inference of a DLRM dense graph, for comparison with `recmesh bench dense`.

Not part of CI. Needs PyTorch (Debian: apt-get install python3-torch; run with /usr/bin/python3).
The graph is the DLRM reference's: bottom MLP (Linear + ReLU), the interaction (concatenation, or
the pairwise dot products of the bottom output and the pooled vectors without self-pairs), top MLP
(Linear + ReLU, sigmoid at the end). `--spec` is the JSON scripts/bench/dense-vs-torch.mjs passes:
{"dense_features", "bottom": [...], "top": [...], "tables", "dim", "interaction"}. Same protocol
as recmesh's bench: 4 distinct random inputs round-robin, warm-up, then timed forward calls. The
last line of stdout is one JSON object with samples_per_s.
"""
import argparse
import json
import time

import torch


class Dense(torch.nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.interaction = spec["interaction"]
        self.tables = spec["tables"]
        layers, m = [], spec["dense_features"]
        for n in spec["bottom"]:
            layers += [torch.nn.Linear(m, n), torch.nn.ReLU()]
            m = n
        self.bottom = torch.nn.Sequential(*layers)
        t, d = spec["tables"], spec["dim"]
        width = d * (t + 1) if self.interaction == "cat" else d + (t + 1) * t // 2
        layers, m = [], width
        for i, n in enumerate(spec["top"]):
            layers += [torch.nn.Linear(m, n), torch.nn.Sigmoid() if i == len(spec["top"]) - 1 else torch.nn.ReLU()]
            m = n
        self.top = torch.nn.Sequential(*layers)
        ni = t + 1
        self.li = torch.tensor([i for i in range(ni) for j in range(i)])
        self.lj = torch.tensor([j for i in range(ni) for j in range(i)])

    def forward(self, dense, emb):
        # emb: [tables][batch][dim], the layout recmesh's workers receive.
        x = self.bottom(dense)
        ly = emb.transpose(0, 1)
        if self.interaction == "cat":
            r = torch.cat([x, ly.reshape(x.shape[0], -1)], dim=1)
        else:
            z = torch.cat([x.unsqueeze(1), ly], dim=1)
            zz = torch.bmm(z, z.transpose(1, 2))
            r = torch.cat([x, zz[:, self.li, self.lj]], dim=1)
        return self.top(r).view(-1)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spec", required=True)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--iterations", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    a = p.parse_args()
    spec = json.loads(a.spec)
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = Dense(spec).eval()
    inputs = [
        (torch.rand(a.batch, spec["dense_features"]), (torch.rand(spec["tables"], a.batch, spec["dim"]) - 0.5) * 0.01)
        for _ in range(4)
    ]
    with torch.inference_mode():
        for i in range(a.warmup):
            model(*inputs[i % 4])
        started = time.perf_counter()
        for i in range(a.iterations):
            model(*inputs[i % 4])
        seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "kernel": f"torch-{torch.__version__}",
                "batch": a.batch,
                "threads": a.threads,
                "samples_per_s": a.batch * a.iterations / seconds,
                "ms_per_batch": 1000 * seconds / a.iterations,
            }
        )
    )


if __name__ == "__main__":
    main()
