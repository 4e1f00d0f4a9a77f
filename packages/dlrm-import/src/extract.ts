import {
  dlrmInteractionWidth,
  type Activation,
  type DenseLayer,
  type Interaction,
} from '@recmesh/models';
import type { onnx } from 'onnx-proto';
import { importError, OnnxFile, type FloatTensor } from './onnx-file';

/** What the importer reads out of a DLRM export. */
export interface ExtractedDlrm {
  /** emb_l.<t>.weight, float32 [rows][dim] each. */
  readonly tables: readonly FloatTensor[];
  readonly dim: number;
  readonly denseFeatures: number;
  readonly bottom: readonly DenseLayer[];
  readonly top: readonly DenseLayer[];
  readonly interaction: Interaction;
  /** Names of the export's inputs: dense features, and per table offsets and indices. */
  readonly inputs: {
    readonly dense: string;
    readonly offsets: string[];
    readonly indices: string[];
  };
  readonly output: string;
  /** How the interaction was inferred, for the manifest and the log. */
  readonly evidence: string;
}

const ACTIVATIONS: Readonly<Record<string, Activation>> = { Relu: 'relu', Sigmoid: 'sigmoid' };

interface Linear {
  readonly layer: DenseLayer;
  readonly gemm: onnx.INodeProto;
  /** The tensor after the layer's activation (its Gemm output when it has none). */
  readonly out: string;
}

/** The float32 initializers named `<prefix>.<n>.weight` / `.bias`, as numbered Linear layers. */
function numbered(src: OnnxFile, prefix: string): number[] {
  const re = new RegExp(`^${prefix.replace('.', '\\.')}\\.(\\d+)\\.weight$`);
  return src
    .initializerNames()
    .flatMap((n) => {
      const m = re.exec(n);
      return m === null ? [] : [Number(m[1])];
    })
    .sort((a, b) => a - b);
}

/**
 * One Linear layer of an MLP: its weight and bias initializers, the Gemm that reads them
 * (PyTorch's export: transB = 1, alpha = beta = 1) and the activation after it.
 */
function linear(src: OnnxFile, name: string): Linear {
  const file = src.file;
  const w = src.float(`${name}.weight`) as FloatTensor;
  const b = src.float(`${name}.bias`);
  if (w.dims.length !== 2)
    throw importError(
      file,
      `${name}.weight has shape [${w.dims.join(', ')}], not [outputs, inputs]`,
    );
  const gemm = src.consumersOf(w.name).find((n) => n.opType === 'Gemm');
  if (gemm === undefined)
    throw importError(
      file,
      `${name}.weight is read by ${
        src
          .consumersOf(w.name)
          .map((n) => n.opType)
          .join(', ') || 'no node'
      }, not a Gemm: not a DLRM export of nn.Linear layers`,
    );
  const transB = OnnxFile.intAttr(gemm, 'transB', 0);
  if (OnnxFile.intAttr(gemm, 'transA', 0) !== 0)
    throw importError(file, `the Gemm of ${name} transposes its input (transA = 1)`);
  if (OnnxFile.floatAttr(gemm, 'alpha', 1) !== 1 || OnnxFile.floatAttr(gemm, 'beta', 1) !== 1)
    throw importError(file, `the Gemm of ${name} scales (alpha or beta other than 1)`);
  if (gemm.input?.[1] !== w.name)
    throw importError(file, `${name}.weight is not the Gemm's second input`);
  const [rows, cols] = w.dims as [number, number];
  const outputs = transB === 1 ? rows : cols;
  const inputs = transB === 1 ? cols : rows;
  let weight = w.data;
  if (transB !== 1) {
    weight = new Float32Array(rows * cols);
    for (let i = 0; i < inputs; i++)
      for (let o = 0; o < outputs; o++) weight[o * inputs + i] = w.data[i * outputs + o] as number;
  }
  const biasName = gemm.input?.[2];
  if (b !== undefined && biasName !== b.name)
    throw importError(file, `${name}.bias is not the bias of the Gemm that reads ${name}.weight`);
  const bias = b?.data ?? new Float32Array(outputs);
  if (bias.length !== outputs)
    throw importError(file, `${name}.bias has ${bias.length} values for ${outputs} outputs`);
  const y = gemm.output?.[0] as string;
  const next = src.consumersOf(y);
  const act = next.find((n) => ACTIVATIONS[n.opType ?? ''] !== undefined);
  const activation: Activation =
    act === undefined ? 'none' : (ACTIVATIONS[act.opType ?? ''] as Activation);
  return {
    layer: { inputs, outputs, weight, bias, activation },
    gemm,
    out: act === undefined ? y : (act.output?.[0] as string),
  };
}

/** An MLP: its Linear layers in index order, checked to be one chain. */
function mlp(src: OnnxFile, prefix: string): Linear[] {
  const ids = numbered(src, prefix);
  if (ids.length === 0)
    throw importError(
      src.file,
      `no ${prefix}.<n>.weight initializers: not a DLRM export (DLRM_Net names its MLPs bot_l and top_l)`,
    );
  const layers = ids.map((i) => linear(src, `${prefix}.${i}`));
  layers.forEach((l, i) => {
    const prev = layers[i - 1];
    if (prev === undefined) return;
    if (l.gemm.input?.[0] !== prev.out)
      throw importError(
        src.file,
        `${prefix}.${ids[i]} does not take the output of ${prefix}.${ids[i - 1]}: the MLP is not a chain`,
      );
    if (l.layer.inputs !== prev.layer.outputs)
      throw importError(
        src.file,
        `${prefix}.${ids[i]} takes ${l.layer.inputs} inputs; ${prefix}.${ids[i - 1]} gives ${prev.layer.outputs}`,
      );
  });
  return layers;
}

/** The embedding tables emb_l.0 .. emb_l.<T-1>, float32 [rows][dim], all of one dim. */
function tables(src: OnnxFile): FloatTensor[] {
  const ids = numbered(src, 'emb_l');
  if (ids.length === 0) {
    const other = src.initializerNames().find((n) => n.startsWith('emb_l.'));
    throw importError(
      src.file,
      other === undefined
        ? 'no emb_l.<t>.weight initializers: not a DLRM export'
        : `embedding initializer ${other} is not emb_l.<t>.weight: quotient-remainder or mixed-dimension embeddings are not supported`,
    );
  }
  ids.forEach((id, i) => {
    if (id !== i)
      throw importError(
        src.file,
        `emb_l.${i}.weight is missing (tables are numbered 0..${ids.length - 1})`,
      );
  });
  const out = ids.map((i) => src.float(`emb_l.${i}.weight`) as FloatTensor);
  const dim = out[0]?.dims[1];
  out.forEach((t, i) => {
    if (t.dims.length !== 2)
      throw importError(
        src.file,
        `emb_l.${i}.weight has shape [${t.dims.join(', ')}], not [rows, dim]`,
      );
    if (t.dims[1] !== dim)
      throw importError(
        src.file,
        `emb_l.${i}.weight has dim ${t.dims[1]}, emb_l.0 ${dim}: mixed-dimension embeddings are not supported`,
      );
  });
  return out;
}

/**
 * DLRM's interaction, from the graph and the widths: a MatMul in the main graph (the bmm of
 * interact_features) means dot products, and the top MLP's input width says whether the
 * diagonal is kept (arch_interaction_itself); no MatMul means concatenation. Widths that fit no
 * interaction, or contradict the graph, refuse the import.
 */
function interactionOf(
  src: OnnxFile,
  width: number,
  tableCount: number,
  dim: number,
): { interaction: Interaction; evidence: string } {
  const bmm = src.nodes('MatMul').length;
  const widths = {
    cat: dlrmInteractionWidth('cat', tableCount, dim),
    dot: dlrmInteractionWidth('dot', tableCount, dim),
    'dot-self': dlrmInteractionWidth('dot-self', tableCount, dim),
  };
  const fits = (Object.keys(widths) as Interaction[]).filter((k) => widths[k] === width);
  const graph =
    bmm > 0
      ? `${bmm} MatMul in the graph (dot products)`
      : 'no MatMul in the graph (concatenation)';
  const candidates = fits.filter((k) => (bmm > 0 ? k !== 'cat' : k === 'cat'));
  const chosen = candidates[0];
  if (chosen === undefined)
    throw importError(
      src.file,
      `top_l's first layer takes ${width} inputs; with ${tableCount} tables of dim ${dim}, cat gives ${widths.cat}, dot ${widths.dot}, dot with the interaction itself ${widths['dot-self']}, and the graph has ${graph}: not an interaction recmesh knows`,
    );
  return {
    interaction: chosen,
    evidence: `${graph}; top input width ${width} = ${chosen === 'cat' ? `${dim} x (${tableCount} + 1)` : `${dim} + ${width - dim} pairs${chosen === 'dot-self' ? ' (diagonal kept)' : ''}`}`,
  };
}

/** Reads a DLRM export: tables, MLPs with their activations, the interaction, the inputs. */
export function extractDlrm(src: OnnxFile): ExtractedDlrm {
  const emb = tables(src);
  const dim = emb[0]?.dims[1] as number;
  const bottom = mlp(src, 'bot_l');
  const top = mlp(src, 'top_l');
  const first = bottom[0] as Linear;
  const last = bottom[bottom.length - 1] as Linear;
  const graphInputs = src.inputs();
  const dense = first.gemm.input?.[0] as string;
  if (!graphInputs.has(dense))
    throw importError(
      src.file,
      `bot_l's first layer reads ${dense}, not a graph input (expected dense_x)`,
    );
  if (last.layer.outputs !== dim)
    throw importError(
      src.file,
      `bot_l ends with ${last.layer.outputs} outputs; the tables have dim ${dim} (DLRM needs them equal)`,
    );
  const t = emb.length;
  const offsets = emb.map((_, k) => `offsets_${k}`);
  const indices = emb.map((_, k) => `indices_${k}`);
  for (const name of [...offsets, ...indices])
    if (!graphInputs.has(name))
      throw importError(
        src.file,
        `no graph input ${name} (inputs: ${[...graphInputs.keys()].join(', ')}): export with one offsets_<t> and indices_<t> input per table, as the DLRM reference's --save-onnx does`,
      );
  const topLast = top[top.length - 1] as Linear;
  const outputs = src.outputs();
  if (!outputs.includes(topLast.out)) {
    const after = src
      .consumersOf(topLast.out)
      .map((n) => n.opType)
      .join(', ');
    throw importError(
      src.file,
      `the top MLP's output ${topLast.out} is not a graph output (outputs: ${outputs.join(', ')}; it goes on to ${after || 'nothing'})`,
    );
  }
  if (topLast.layer.outputs !== 1)
    throw importError(src.file, `top_l ends with ${topLast.layer.outputs} outputs, not 1`);
  const { interaction, evidence } = interactionOf(src, (top[0] as Linear).layer.inputs, t, dim);
  return {
    tables: emb,
    dim,
    denseFeatures: first.layer.inputs,
    bottom: bottom.map((l) => l.layer),
    top: top.map((l) => l.layer),
    interaction,
    inputs: { dense, offsets, indices },
    output: topLast.out,
    evidence,
  };
}
