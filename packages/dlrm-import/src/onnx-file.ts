import { readFileSync } from 'node:fs';
import { onnx } from 'onnx-proto';
import { RecmeshError } from '@recmesh/errors';

/** An error about the file being imported: the file named, and what is wrong with it. */
export function importError(file: string, what: string, cause?: unknown): RecmeshError {
  return new RecmeshError('failed_precondition', `${file}: ${what}`, { field: file, cause });
}

/** A float32 initializer or constant, row-major. */
export interface FloatTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** A protobuf int64 (a number, or a Long from protobufjs) as a number. */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'toNumber' in v)
    return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function floats(t: onnx.ITensorProto): Float32Array {
  const raw = t.rawData;
  if (raw !== null && raw !== undefined && raw.length > 0) {
    // Copied: rawData views the file's buffer at an offset that need not be 4-byte aligned.
    const copy = new Uint8Array(raw);
    return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
  }
  return Float32Array.from(t.floatData ?? []);
}

function int64s(t: onnx.ITensorProto): number[] {
  const raw = t.rawData;
  if (raw !== null && raw !== undefined && raw.length > 0) {
    const copy = new Uint8Array(raw);
    return Array.from(new BigInt64Array(copy.buffer, 0, copy.byteLength / 8), Number);
  }
  return (t.int64Data ?? []).map(num);
}

/** The parts of an ONNX model the importer reads: nodes by what they consume and produce. */
export class OnnxFile {
  readonly model: onnx.ModelProto;
  readonly graph: onnx.IGraphProto;
  readonly bytes: Uint8Array;
  private readonly inits = new Map<string, onnx.ITensorProto>();
  private readonly producers = new Map<string, onnx.INodeProto>();
  private readonly consumers = new Map<string, onnx.INodeProto[]>();

  constructor(readonly file: string) {
    try {
      this.bytes = new Uint8Array(readFileSync(file));
    } catch (cause) {
      throw importError(file, `cannot read: ${(cause as Error).message}`, cause);
    }
    try {
      this.model = onnx.ModelProto.decode(this.bytes);
    } catch (cause) {
      throw importError(file, `not an ONNX model: ${(cause as Error).message}`, cause);
    }
    const graph = this.model.graph;
    if (graph === null || graph === undefined)
      throw importError(file, 'an ONNX model without a graph');
    this.graph = graph;
    for (const t of graph.initializer ?? []) this.inits.set(t.name ?? '', t);
    for (const n of graph.node ?? []) {
      for (const o of n.output ?? []) this.producers.set(o, n);
      for (const i of n.input ?? []) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);
    }
  }

  initializerNames(): string[] {
    return [...this.inits.keys()];
  }

  /** A float32 initializer, or undefined. */
  float(name: string): FloatTensor | undefined {
    const t = this.inits.get(name);
    if (t === undefined) return undefined;
    if (t.dataType !== FLOAT)
      throw importError(this.file, `initializer ${name} is not float32 (ONNX type ${t.dataType})`);
    return { name, dims: (t.dims ?? []).map(num), data: floats(t) };
  }

  /** The node that produces `tensor` in the main graph. */
  producer(tensor: string): onnx.INodeProto | undefined {
    return this.producers.get(tensor);
  }

  /** Nodes of the main graph that read `tensor`. */
  consumersOf(tensor: string): onnx.INodeProto[] {
    return this.consumers.get(tensor) ?? [];
  }

  /** Nodes of the main graph of an op type. */
  nodes(op: string): onnx.INodeProto[] {
    return (this.graph.node ?? []).filter((n) => n.opType === op);
  }

  /** An int64 constant: an initializer, or a Constant node's value; undefined otherwise. */
  int64Constant(tensor: string): number[] | undefined {
    const init = this.inits.get(tensor);
    if (init !== undefined) return init.dataType === INT64 ? int64s(init) : undefined;
    const node = this.producers.get(tensor);
    if (node?.opType !== 'Constant') return undefined;
    const value = node.attribute?.find((a) => a.name === 'value')?.t;
    return value !== undefined && value !== null && value.dataType === INT64
      ? int64s(value)
      : undefined;
  }

  /** Graph inputs (not initializers) by name, with their dims (numbers, or dim names). */
  inputs(): Map<string, (number | string)[]> {
    return new Map(
      (this.graph.input ?? [])
        .filter((i) => !this.inits.has(i.name ?? ''))
        .map((i) => [
          i.name ?? '',
          (i.type?.tensorType?.shape?.dim ?? []).map((d) =>
            d.dimValue !== null && d.dimValue !== undefined && num(d.dimValue) > 0
              ? num(d.dimValue)
              : (d.dimParam ?? '?'),
          ),
        ]),
    );
  }

  outputs(): string[] {
    return (this.graph.output ?? []).map((o) => o.name ?? '');
  }

  /** An INT attribute of a node, or `fallback`. */
  static intAttr(node: onnx.INodeProto, name: string, fallback: number): number {
    const a = node.attribute?.find((x) => x.name === name);
    return a?.i === undefined || a.i === null ? fallback : num(a.i);
  }

  /** A FLOAT attribute of a node, or `fallback`. */
  static floatAttr(node: onnx.INodeProto, name: string, fallback: number): number {
    const a = node.attribute?.find((x) => x.name === name);
    return a?.f === undefined || a.f === null || a.type !== onnx.AttributeProto.AttributeType.FLOAT
      ? fallback
      : a.f;
  }
}
