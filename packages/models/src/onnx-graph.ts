import { onnx } from 'onnx-proto';
import type { Interaction } from './model-spec';
import type { DenseWeights } from './weights';

/** What the dense graph needs: shapes, the interaction and the MLP weights. */
export interface DenseGraphSpec {
  readonly denseFeatures: number;
  readonly tables: number;
  readonly dim: number;
  readonly interaction: Interaction;
  readonly weights: DenseWeights;
}

/** Input and output names of every dense graph recmesh builds. */
export const DENSE_GRAPH_IO = {
  /** float32 [batch][dense_features] */
  dense: 'dense',
  /** float32 [tables][batch][dim], the wire layout of PredictRequest.embeddings */
  embeddings: 'emb',
  /** float32 [batch], sigmoid output */
  output: 'prob',
} as const;

const OPSET = 17;
const IR_VERSION = 8;

function floatTensor(name: string, dims: number[], data: Float32Array): onnx.ITensorProto {
  return {
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

function int64Tensor(name: string, values: number[]): onnx.ITensorProto {
  const data = BigInt64Array.from(values, (v) => BigInt(v));
  return {
    name,
    dims: [values.length],
    dataType: onnx.TensorProto.DataType.INT64,
    rawData: new Uint8Array(data.buffer),
  };
}

function ints(name: string, values: number[]): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}

function int(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

function valueInfo(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

/**
 * Pairs (i, j) with j < i over the T+1 vectors [bottom output, table 0, ..., table T-1], in the
 * DLRM reference's order (i outer, j inner), as flat indices into a (T+1) x (T+1) matrix.
 */
export function dotPairs(tables: number): number[] {
  const n = tables + 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out.push(i * n + j);
  return out;
}

/**
 * The DLRM dense graph as an ONNX model: bottom MLP, interaction (concatenation or DLRM's
 * pairwise dot products), top MLP, sigmoid. Weights are initializers.
 */
export function buildDenseGraph(spec: DenseGraphSpec): Uint8Array {
  const nodes: onnx.INodeProto[] = [];
  const inits: onnx.ITensorProto[] = [];
  let counter = 0;
  const node = (op: string, inputs: string[], attrs: onnx.IAttributeProto[] = []): string => {
    const out = `${op.toLowerCase()}_${counter++}`;
    nodes.push({ opType: op, input: inputs, output: [out], attribute: attrs, name: out });
    return out;
  };
  const mlp = (prefix: string, input: string, layers: DenseWeights['bottom']): string => {
    let x = input;
    layers.forEach((layer, l) => {
      const w = `${prefix}.${l}.weight`;
      const b = `${prefix}.${l}.bias`;
      inits.push(floatTensor(w, [layer.outputs, layer.inputs], layer.weight));
      inits.push(floatTensor(b, [layer.outputs], layer.bias));
      const y = node('Gemm', [x, w, b], [int('transB', 1)]);
      x = node(layer.activation === 'relu' ? 'Relu' : 'Sigmoid', [y]);
    });
    return x;
  };

  const x = mlp('bottom', DENSE_GRAPH_IO.dense, spec.weights.bottom);
  const embBatchMajor = node('Transpose', [DENSE_GRAPH_IO.embeddings], [ints('perm', [1, 0, 2])]);
  inits.push(int64Tensor('flatten_shape', [0, -1]));
  let interaction: string;
  if (spec.interaction === 'cat') {
    const flat = node('Reshape', [embBatchMajor, 'flatten_shape']);
    interaction = node('Concat', [x, flat], [int('axis', 1)]);
  } else {
    inits.push(int64Tensor('axis_1', [1]));
    inits.push(int64Tensor('dot_pairs', dotPairs(spec.tables)));
    const x3 = node('Unsqueeze', [x, 'axis_1']);
    const z = node('Concat', [x3, embBatchMajor], [int('axis', 1)]);
    const zt = node('Transpose', [z], [ints('perm', [0, 2, 1])]);
    const gram = node('MatMul', [z, zt]);
    const flat = node('Reshape', [gram, 'flatten_shape']);
    const pairs = node('Gather', [flat, 'dot_pairs'], [int('axis', 1)]);
    interaction = node('Concat', [x, pairs], [int('axis', 1)]);
  }
  const top = mlp('top', interaction, spec.weights.top);
  inits.push(int64Tensor('vector_shape', [-1]));
  nodes.push({
    opType: 'Reshape',
    input: [top, 'vector_shape'],
    output: [DENSE_GRAPH_IO.output],
    name: 'output',
  });

  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'recmesh',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'dlrm_dense',
      node: nodes,
      initializer: inits,
      input: [
        valueInfo(DENSE_GRAPH_IO.dense, ['batch', spec.denseFeatures]),
        valueInfo(DENSE_GRAPH_IO.embeddings, [spec.tables, 'batch', spec.dim]),
      ],
      output: [valueInfo(DENSE_GRAPH_IO.output, ['batch'])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
