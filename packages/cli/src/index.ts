// The one public door of @recmesh/cli as a library: the local mesh launcher (tests use it).
export { startLocalMesh } from './local-mesh';
export type { LocalMesh, LocalMeshOptions, MeshService } from './local-mesh';
export { ensureNats, natsAnswers } from './nats-server';
