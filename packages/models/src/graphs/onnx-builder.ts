import { onnx } from 'onnx-proto';
import type { Activation, DenseLayer, DenseTensor } from '../weights';

/** ONNX opset and IR version of every graph recmesh builds (onnxruntime-node 1.30 runs both). */
const OPSET = 17;
const IR_VERSION = 8;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

export type Dim = number | string;

/** A graph being built: nodes and initializers, named uniquely. */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inits: onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  /** Adds a node with one output and returns the output's name. */
  node(op: string, inputs: readonly string[], attrs: onnx.IAttributeProto[] = []): string {
    return this.nodeN(op, inputs, 1, attrs)[0] as string;
  }

  /** Adds a node with `outputs` outputs. */
  nodeN(
    op: string,
    inputs: readonly string[],
    outputs: number,
    attrs: onnx.IAttributeProto[] = [],
  ): string[] {
    const base = `${op.toLowerCase()}_${this.counter++}`;
    const out = Array.from({ length: outputs }, (_, i) => (i === 0 ? base : `${base}_${i}`));
    this.nodes.push({ opType: op, input: [...inputs], output: out, attribute: attrs, name: base });
    return out;
  }

  /** Renames the output of the last node (graph outputs have fixed names). */
  output(name: string, from: string): void {
    this.nodes.push({ opType: 'Identity', input: [from], output: [name], name: `out_${name}` });
  }

  float(name: string, dims: readonly number[], data: Float32Array): string {
    this.claim(name);
    this.inits.push({
      name,
      dims: [...dims],
      dataType: FLOAT,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  tensor(name: string, t: DenseTensor): string {
    return this.float(name, t.dims, t.data);
  }

  /** An int64 constant: a vector, or a scalar with `scalar`. */
  int64(name: string, values: readonly number[], scalar = false): string {
    this.claim(name);
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    this.inits.push({
      name,
      dims: scalar ? [] : [values.length],
      dataType: INT64,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  /** An int64 vector constant named by its values, defined once however often it is used. */
  ints(values: readonly number[]): string {
    const name = `i64_${values.join('_').replace(/-/g, 'm')}`;
    return this.names.has(name) ? name : this.int64(name, values);
  }

  /** A float32 scalar constant. */
  scalar(name: string, value: number): string {
    return this.float(name, [], Float32Array.of(value));
  }

  /** y = activation(x W^T + b) for x [rows][inputs]. */
  linear(name: string, x: string, layer: DenseLayer): string {
    const w = this.float(`${name}.weight`, [layer.outputs, layer.inputs], layer.weight);
    const b = this.float(`${name}.bias`, [layer.outputs], layer.bias);
    return this.activation(this.node('Gemm', [x, w, b], [int('transB', 1)]), layer.activation);
  }

  activation(x: string, activation: Activation): string {
    switch (activation) {
      case 'relu':
        return this.node('Relu', [x]);
      case 'sigmoid':
        return this.node('Sigmoid', [x]);
      case 'softmax':
        return this.node('Softmax', [x], [int('axis', -1)]);
      case 'none':
        return x;
    }
  }

  /**
   * The layers one after another; weights named `<name>.<l>.weight` and `.bias`, `l` counted from
   * `first` (an MLP whose first layers were built otherwise).
   */
  mlp(name: string, x: string, layers: readonly DenseLayer[], first = 0): string {
    return layers.reduce((h, layer, l) => this.linear(`${name}.${first + l}`, h, layer), x);
  }

  /** Table `t` of emb [T][B][D] as [B][D]. */
  table(emb: string, t: number): string {
    return this.node('Gather', [emb, this.int64(`table_${t}`, [t], true)], [int('axis', 0)]);
  }

  /** Tables [from, to) of emb [T][B][D], still table-major: [to - from][B][D]. */
  tables(emb: string, from: number, to: number): string {
    const ids = Array.from({ length: to - from }, (_, i) => from + i);
    return this.node('Gather', [emb, this.int64(`tables_${from}_${to}`, ids)], [int('axis', 0)]);
  }

  /** [B][T][D] -> [B][T * D]. */
  flatten(x: string): string {
    return this.node('Flatten', [x], [int('axis', 1)]);
  }

  concat(inputs: readonly string[], axis: number): string {
    return this.node('Concat', inputs, [int('axis', axis)]);
  }

  transpose(x: string, perm: readonly number[]): string {
    return this.node('Transpose', [x], [ints('perm', perm)]);
  }

  /** The ONNX model with `inputs` and `outputs` (float32 unless given). */
  encode(
    name: string,
    inputs: readonly ValueInfo[],
    outputs: readonly ValueInfo[],
    producerVersion = '',
  ): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'recmesh',
      producerVersion,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name,
        node: this.nodes,
        initializer: this.inits,
        input: inputs.map(valueInfo),
        output: outputs.map(valueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`graph builder: initializer ${name} defined twice`);
    this.names.add(name);
  }
}

export interface ValueInfo {
  readonly name: string;
  readonly dims: readonly Dim[];
  readonly type?: 'float' | 'int32' | 'int64';
}

function valueInfo(v: ValueInfo): onnx.IValueInfoProto {
  const elemType =
    v.type === 'int64' ? INT64 : v.type === 'int32' ? onnx.TensorProto.DataType.INT32 : FLOAT;
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

export function ints(name: string, values: readonly number[]): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...values] };
}

export function int(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

export function float(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value };
}
