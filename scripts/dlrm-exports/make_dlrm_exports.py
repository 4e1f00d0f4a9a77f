#!/usr/bin/env python3
"""DLRM exports for the importer's tests: models the reference exports were not.

Rebuilds the DLRM reference's model (facebookresearch/dlrm, dlrm_s_pytorch.py: DLRM_Net with
create_emb, create_mlp, interact_features and the same initialisation) and exports it as its
--save-onnx does: torch.onnx.export, opset 11, inputs dense_x, offsets_<k>..., indices_<k>...,
output pred. Each export is written with inputs-and-expected.json in the reference's form (arch,
dense_x, per table offsets and indices, expected_pred from PyTorch, tolerance_abs).

    /usr/bin/python3 scripts/dlrm-exports/make_dlrm_exports.py --out test/fixtures/dlrm

Needs PyTorch (Debian's python3-torch 1.13 works); not run by the tests, which read its output.
"""
import argparse
import json
import os

import numpy as np
import torch
from torch import nn

# name: (table rows, dim, bottom MLP incl. dense features, top hidden layers, interaction,
#        interaction itself)
CONFIGS = {
    # The diagonal of the interaction kept (arch_interaction_itself).
    "dot-self-t3-d8": ([50, 30, 20], 8, [13, 16, 8], [32, 16, 1], "dot", True),
    # More tables, a small dim, deeper MLPs, another dense width, concatenation.
    "cat-t6-d4-deep": ([40, 35, 30, 25, 20, 15], 4, [7, 32, 16, 4], [64, 32, 16, 1], "cat", False),
    # Wider rows, dot products.
    "dot-t8-d32": ([64] * 8, 32, [13, 64, 32], [64, 1], "dot", False),
    # One table: a single dot product.
    "dot-t1-d16": ([100], 16, [13, 16], [16, 1], "dot", False),
    # 31 tables of dim 16: cat and dot give the same top width (16 x 32 = 16 + 32 x 31 / 2 =
    # 512); only the graph tells them apart.
    "cat-t31-d16": ([12] * 31, 16, [13, 16], [32, 1], "cat", False),
    "dot-t31-d16": ([12] * 31, 16, [13, 16], [32, 1], "dot", False),
}


class DlrmNet(nn.Module):
    """The DLRM reference's DLRM_Net, as far as inference and export go."""

    def create_mlp(self, ln, sigmoid_layer):
        layers = nn.ModuleList()
        for i in range(0, len(ln) - 1):
            n, m = int(ln[i]), int(ln[i + 1])
            layer = nn.Linear(n, m, bias=True)
            w = np.random.normal(0.0, np.sqrt(2 / (m + n)), size=(m, n)).astype(np.float32)
            b = np.random.normal(0.0, np.sqrt(1 / m), size=m).astype(np.float32)
            layer.weight.data = torch.tensor(w, requires_grad=True)
            layer.bias.data = torch.tensor(b, requires_grad=True)
            layers.append(layer)
            layers.append(nn.Sigmoid() if i == sigmoid_layer else nn.ReLU())
        return nn.Sequential(*layers)

    def create_emb(self, m, ln):
        emb_l = nn.ModuleList()
        for n in ln:
            e = nn.EmbeddingBag(n, m, mode="sum", sparse=True)
            w = np.random.uniform(low=-np.sqrt(1 / n), high=np.sqrt(1 / n), size=(n, m)).astype(np.float32)
            e.weight.data = torch.tensor(w, requires_grad=True)
            emb_l.append(e)
        return emb_l

    def __init__(self, m_spa, ln_emb, ln_bot, ln_top, interaction, itself):
        super().__init__()
        self.arch_interaction_op = interaction
        self.arch_interaction_itself = itself
        self.emb_l = self.create_emb(m_spa, ln_emb)
        self.bot_l = self.create_mlp(ln_bot, -1)
        self.top_l = self.create_mlp(ln_top, len(ln_top) - 2)

    def interact_features(self, x, ly):
        if self.arch_interaction_op == "dot":
            (batch_size, d) = x.shape
            t = torch.cat([x] + ly, dim=1).view((batch_size, -1, d))
            z = torch.bmm(t, torch.transpose(t, 1, 2))
            _, ni, nj = z.shape
            offset = 1 if self.arch_interaction_itself else 0
            li = torch.tensor([i for i in range(ni) for j in range(i + offset)])
            lj = torch.tensor([j for i in range(nj) for j in range(i + offset)])
            zflat = z[:, li, lj]
            return torch.cat([x] + [zflat], dim=1)
        return torch.cat([x] + ly, dim=1)

    def forward(self, dense_x, l_s_o, l_s_i):
        x = self.bot_l(dense_x)
        ly = [self.emb_l[k](l_s_i[k], l_s_o[k]) for k in range(len(self.emb_l))]
        return self.top_l(self.interact_features(x, ly))


def interaction_width(rows, dim, interaction, itself):
    n = len(rows) + 1
    if interaction == "cat":
        return dim * n
    return dim + (n * (n + 1) // 2 if itself else n * (n - 1) // 2)


def sample_inputs(rows, dense_features, batch, rng, empty_bag):
    """Bags of 1 to 5 ids (sample 3: one id; each table's first id its last row)."""
    dense = rng.uniform(0, 4, size=(batch, dense_features)).astype(np.float32)
    sparse = []
    for k, n in enumerate(rows):
        offsets, indices = [], []
        for s in range(batch):
            offsets.append(len(indices))
            size = 1 if s == 3 else int(rng.integers(1, 6))
            if empty_bag and k == 0 and s == 5:
                size = 0
            indices.extend(int(i) for i in rng.integers(0, n, size=size))
        indices[0] = n - 1
        sparse.append({"table": k, "offsets": offsets, "indices": indices})
    return dense, sparse


def export(name, config, out, seed):
    rows, dim, bottom, top_hidden, interaction, itself = config
    np.random.seed(seed)
    torch.manual_seed(seed)
    top = [interaction_width(rows, dim, interaction, itself)] + top_hidden
    model = DlrmNet(dim, rows, bottom, top, interaction, itself).eval()
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)

    rng = np.random.default_rng(seed)
    batch = 16
    dense, sparse = sample_inputs(rows, bottom[0], batch, rng, empty_bag=(name == "dot-self-t3-d8"))
    x = torch.tensor(dense)
    l_s_o = [torch.tensor(s["offsets"], dtype=torch.int64) for s in sparse]
    l_s_i = [torch.tensor(s["indices"], dtype=torch.int64) for s in sparse]
    with torch.no_grad():
        pred = model(x, l_s_o, l_s_i).reshape(-1).tolist()

    t = len(rows)
    inputs = ["dense_x"] + [f"offsets_{k}" for k in range(t)] + [f"indices_{k}" for k in range(t)]
    axes = {"dense_x": {0: "batch_size"}, "pred": {0: "batch_size"}}
    axes.update({f"offsets_{k}": {0: "batch_size"} for k in range(t)})
    axes.update({f"indices_{k}": {0: f"indices_count_{k}"} for k in range(t)})
    torch.onnx.export(
        model,
        (x, l_s_o, l_s_i),
        os.path.join(folder, "model.onnx"),
        opset_version=11,
        input_names=inputs,
        output_names=["pred"],
        dynamic_axes=axes,
    )
    record = {
        "producer": f"scripts/dlrm-exports/make_dlrm_exports.py (DLRM_Net equivalent), torch {torch.__version__}",
        "arch": {
            "interaction": interaction,
            "embedding_dim": dim,
            "table_rows": rows,
            "bottom_mlp": bottom,
            "top_mlp": top,
            "sigmoid_top": True,
            "interaction_itself": itself,
        },
        "batch": batch,
        "dense_x": dense.tolist(),
        "sparse": sparse,
        "expected_pred": pred,
        "tolerance_abs": 1e-5,
    }
    with open(os.path.join(folder, "inputs-and-expected.json"), "w") as f:
        json.dump(record, f, indent=1)
        f.write("\n")
    print(name, "->", folder, "top width", top[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to write <name>/model.onnx into")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--only", nargs="*", help="names of configurations (default: all)")
    args = parser.parse_args()
    for name, config in CONFIGS.items():
        if args.only and name not in args.only:
            continue
        export(name, config, args.out, args.seed)


if __name__ == "__main__":
    main()
