import { Container, type ContainerModule } from 'inversify';
import { RecmeshError } from '@recmesh/errors';
import { TYPES, type BackendOptions, type DenseBackend, type EmbeddingBackend } from './contracts';

/** Package of each known backend plugin; the configuration names the key. */
export const BACKEND_PLUGINS: Readonly<Record<string, string>> = {
  cpu: '@recmesh/plugin-cpu',
  nmp: '@recmesh/plugin-nmp',
  cuda: '@recmesh/plugin-cuda',
};

/** What a backend plugin package exports. */
export interface BackendPlugin {
  readonly backendModule: ContainerModule;
}

/**
 * Loads the plugin named by configuration into a fresh container. `importer` resolves the
 * package from the caller's location (services pass `(id) => import(id)`); `options`, when
 * given, is bound as TYPES.BackendOptions for the plugin to read.
 */
export async function loadBackend(
  name: string,
  importer: (id: string) => Promise<unknown>,
  options?: BackendOptions,
): Promise<Container> {
  const id = BACKEND_PLUGINS[name];
  if (id === undefined) {
    throw new RecmeshError(
      'config',
      `RECMESH_BACKEND = ${JSON.stringify(name)}: unknown backend; known: ${Object.keys(BACKEND_PLUGINS).join(', ')}`,
      { field: 'RECMESH_BACKEND', value: name },
    );
  }
  let plugin: Partial<BackendPlugin>;
  try {
    plugin = (await importer(id)) as Partial<BackendPlugin>;
  } catch (cause) {
    throw new RecmeshError(
      'unavailable',
      `backend ${name} is unavailable: its plugin ${id} is not installed`,
      { cause },
    );
  }
  if (plugin.backendModule === undefined) {
    throw new RecmeshError('internal', `${id} exports no backendModule`);
  }
  const container = new Container();
  if (options !== undefined) container.bind(TYPES.BackendOptions).toConstantValue(options);
  await container.load(plugin.backendModule);
  return container;
}

/** The embedding contract from a loaded container; refuses a backend that reports itself unavailable. */
export function embeddingBackendOf(container: Container): EmbeddingBackend {
  return usable(container.get<EmbeddingBackend>(TYPES.EmbeddingBackend));
}

export function denseBackendOf(container: Container): DenseBackend {
  return usable(container.get<DenseBackend>(TYPES.DenseBackend));
}

function usable<T extends EmbeddingBackend | DenseBackend>(backend: T): T {
  const report = backend.capabilities();
  if (!report.available) {
    throw new RecmeshError(
      'unavailable',
      `backend ${backend.name} is unavailable: ${report.reason ?? 'no reason given'}`,
    );
  }
  return backend;
}
