import { invalidArgument } from '@recmesh/errors';
import type { DenseLayer, DenseTensor, DenseWeights } from '../weights';

/**
 * The MLP `name` of `weights`, checked: `inputs` wide at the bottom, each layer as wide as the
 * last one's output, weights and biases as long as their shapes say. Errors name the layer.
 */
export function mlpOf(
  weights: DenseWeights,
  name: string,
  inputs: number,
  outputs?: number,
): readonly DenseLayer[] {
  const layers = weights.layers[name];
  if (layers === undefined || layers.length === 0)
    throw invalidArgument(`weights.layers.${name}`, 'missing', 'the architecture needs this MLP');
  let width = inputs;
  layers.forEach((layer, l) => {
    const at = `weights.layers.${name}[${l}]`;
    if (layer.inputs !== width)
      throw invalidArgument(`${at}.inputs`, layer.inputs, `must be ${width}`);
    if (layer.weight.length !== layer.inputs * layer.outputs)
      throw invalidArgument(
        `${at}.weight`,
        `${layer.weight.length} floats`,
        `must be ${layer.outputs} x ${layer.inputs}`,
      );
    if (layer.bias.length !== layer.outputs)
      throw invalidArgument(
        `${at}.bias`,
        `${layer.bias.length} floats`,
        `must be ${layer.outputs}`,
      );
    width = layer.outputs;
  });
  if (outputs !== undefined && width !== outputs)
    throw invalidArgument(
      `weights.layers.${name}[${layers.length - 1}].outputs`,
      width,
      `must be ${outputs}`,
    );
  return layers;
}

/** Output width of an MLP. */
export function widthOf(layers: readonly DenseLayer[]): number {
  return (layers[layers.length - 1] as DenseLayer).outputs;
}

/** The tensor `name` of `weights`, checked against `dims`. */
export function tensorOf(
  weights: DenseWeights,
  name: string,
  dims: readonly number[],
): DenseTensor {
  const t = weights.tensors[name];
  if (t === undefined)
    throw invalidArgument(`weights.tensors.${name}`, 'missing', 'the architecture needs it');
  const want = dims.reduce((a, b) => a * b, 1);
  if (t.dims.join(',') !== dims.join(',') || t.data.length !== want)
    throw invalidArgument(
      `weights.tensors.${name}`,
      `[${t.dims.join(', ')}] with ${t.data.length} floats`,
      `must be [${dims.join(', ')}]`,
    );
  return t;
}
