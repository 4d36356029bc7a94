// Pure numeric diagnostics on point sets (rows = samples). See docs/metrics.md.
export * from './assignment';
export * from './balls';
export * from './blockedDistances';
export * from './blockProduct';
export * from './chiSquare';
export * from './frechet';
export * from './kdTree';
export * from './kdTreeQueries';
export * from './knn';
export * from './linalg';
export * from './localPca';
export * from './modes';
export * from './prdc';
export * from './quantiles';
export * from './tangentScale';
export * from './topK';
export * from './wasserstein';
