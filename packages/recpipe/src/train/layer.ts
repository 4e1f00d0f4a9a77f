import type { DenseLayer } from '@recmesh/models';

/** One fully connected layer being trained: PyTorch's layout (weight [outputs][inputs]) plus Adam state. */
export interface TrainLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly relu: boolean;
  readonly gradW: Float32Array;
  readonly gradB: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

/** A trainable copy of `layer` (relu unless it is the last layer of the top MLP). */
export function trainLayer(layer: DenseLayer): TrainLayer {
  const n = layer.weight.length + layer.bias.length;
  return {
    inputs: layer.inputs,
    outputs: layer.outputs,
    weight: Float32Array.from(layer.weight),
    bias: Float32Array.from(layer.bias),
    relu: layer.activation === 'relu',
    gradW: new Float32Array(layer.weight.length),
    gradB: new Float32Array(layer.bias.length),
    m: new Float32Array(n),
    v: new Float32Array(n),
  };
}

/** y = act(W x + b). */
export function forward(l: TrainLayer, x: Float32Array, y: Float32Array): void {
  const { inputs, outputs, weight, bias } = l;
  for (let o = 0; o < outputs; o++) {
    let s = bias[o] as number;
    const base = o * inputs;
    for (let i = 0; i < inputs; i++) s += (weight[base + i] as number) * (x[i] as number);
    y[o] = l.relu && s < 0 ? 0 : s;
  }
}

/**
 * Back through the layer: dy is d loss / d output (after the activation); accumulates the weight
 * and bias gradients and writes d loss / d input into dx (when given).
 */
export function backward(
  l: TrainLayer,
  x: Float32Array,
  y: Float32Array,
  dy: Float32Array,
  dx: Float32Array | undefined,
): void {
  const { inputs, outputs, weight, gradW, gradB } = l;
  if (dx !== undefined) dx.fill(0);
  for (let o = 0; o < outputs; o++) {
    const g = l.relu && (y[o] as number) <= 0 ? 0 : (dy[o] as number);
    if (g === 0) continue;
    gradB[o] = (gradB[o] as number) + g;
    const base = o * inputs;
    for (let i = 0; i < inputs; i++)
      gradW[base + i] = (gradW[base + i] as number) + g * (x[i] as number);
    if (dx !== undefined)
      for (let i = 0; i < inputs; i++) dx[i] = (dx[i] as number) + g * (weight[base + i] as number);
  }
}

/** Adam (Kingma and Ba 2015; beta1 0.9, beta2 0.999, eps 1e-8) on the mean gradient of `batch` samples; clears the gradients. */
export function adamStep(l: TrainLayer, lr: number, step: number, batch: number): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const c1 = 1 - Math.pow(b1, step);
  const c2 = 1 - Math.pow(b2, step);
  const update = (params: Float32Array, grads: Float32Array, offset: number) => {
    for (let i = 0; i < params.length; i++) {
      const g = (grads[i] as number) / batch;
      const m = b1 * (l.m[offset + i] as number) + (1 - b1) * g;
      const v = b2 * (l.v[offset + i] as number) + (1 - b2) * g * g;
      l.m[offset + i] = m;
      l.v[offset + i] = v;
      params[i] = (params[i] as number) - (lr * (m / c1)) / (Math.sqrt(v / c2) + 1e-8);
    }
    grads.fill(0);
  };
  update(l.weight, l.gradW, 0);
  update(l.bias, l.gradB, l.weight.length);
}
