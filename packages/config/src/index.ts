// The one public door of @recmesh/config.
export { env, loadConfig, describeConfig } from './env-config';
export type { EnvVar, ConfigSpec, ConfigOf } from './env-config';
export { commaList, commonSpec, modelsSpec } from './common-spec';
export type { CommonConfig } from './common-spec';
export { siteSpec } from './site-spec';
export { z } from 'zod';
