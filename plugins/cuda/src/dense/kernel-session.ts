import type { DenseGraph, DenseLayerWeights, DenseSession } from '@recmesh/backend';
import { RecmeshError } from '@recmesh/errors';
import { callAddon, fromAddonError } from '../errors';
import type { CudaAddon, NativeLayer } from '../native/addon';

function nativeLayer(layer: DenseLayerWeights): NativeLayer {
  return {
    inputs: layer.inputs,
    outputs: layer.outputs,
    activation: layer.activation === 'relu' ? 1 : 2,
    weight: layer.weight,
    bias: layer.bias,
  };
}

/**
 * The dense graph on the addon's own kernels (fused GEMM + bias + activation, the interaction),
 * weights resident in GPU memory. Needs the graph's weights as `graph.mlp`.
 */
export function createKernelSession(addon: CudaAddon, graph: DenseGraph): DenseSession {
  const { mlp } = graph;
  if (mlp === undefined) {
    throw new RecmeshError(
      'failed_precondition',
      "dense graph: the cuda backend's own kernels need the MLP weights and the interaction (DenseGraph.mlp), which this graph does not carry",
      { field: 'mlp' },
    );
  }
  const model = callAddon('createDense', () =>
    addon.createDense({
      denseFeatures: graph.denseFeatures,
      tables: graph.tables,
      dim: graph.dim,
      interaction: mlp.interaction === 'cat' ? 0 : 1,
      bottom: mlp.bottom.map(nativeLayer),
      top: mlp.top.map(nativeLayer),
    }),
  );
  let released = false;
  return {
    async run(dense, embeddings, batch) {
      if (released) throw new RecmeshError('failed_precondition', 'dense session was released');
      const out = new Float32Array(batch);
      try {
        await addon.runDense(model, dense, embeddings, batch, out);
      } catch (err) {
        throw fromAddonError(err, 'runDense');
      }
      return out;
    },
    release() {
      if (!released) addon.freeDense(model);
      released = true;
      return Promise.resolve();
    },
  };
}
