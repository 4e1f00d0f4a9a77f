// The one public door of @recmesh/recpipe: RecPipe's data, training, metrics and pipelines.
export { DATA_DEFAULTS, DENSE_FEATURES, dataConfig, datasetTableRows } from './dataset-config';
export type { DataConfig } from './dataset-config';
export { ZipfSampler } from './zipf';
export { buildWorld, clickProbability, plantedLogit } from './world';
export type { World } from './world';
export { drawQueries, drawSamples, pairIds } from './samples';
export type { RankingQuery, Samples } from './samples';
export {
  auc,
  dcgAtK,
  gain,
  logLoss,
  ndcgAtK,
  plantedRelevance,
  ratioInterval,
  recallAtK,
} from './metrics';
export { DlrmNet } from './train/dlrm-net';
export { TRAIN_DEFAULTS, evaluate, predict, recpipeSpec, trainDlrm } from './train/train';
export type { Accuracy, EpochReport, TrainOptions } from './train/train';
export { plainQueryOf } from './queries';
export {
  DATASET_FILE,
  DEFAULT_PIPELINES,
  PREPARE_DEFAULTS,
  RECPIPE_MODELS,
  prepareRepository,
  readPrepared,
} from './prepare';
export type { DatasetRecord, ModelReport, PrepareOptions } from './prepare';

export { simulatePipeline } from './simulate';
export {
  choosePipeline,
  composedP95,
  enumeratePipelines,
  evaluatePipelines,
  paretoFront,
  profileAt,
  quantileAt,
} from './search';
export type { LatencyProfile, PipelineCandidate, ScoredQuery, SearchSpace } from './search';
