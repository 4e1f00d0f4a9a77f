// The one public door of @recmesh/cli as a library: the local mesh launcher (tests use it).
export { nodeFlagsFor, SHARED_CORE_NODE_FLAGS, SHARED_CORES, startLocalMesh } from './local-mesh';
export type { LocalMesh, LocalMeshOptions, MeshService } from './local-mesh';
export { ensureNats, natsAnswers } from './nats-server';
