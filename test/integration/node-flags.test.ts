// The Node/V8 flags a local mesh starts its services with: RECMESH_NODE_FLAGS, else the
// shared-core garbage collector settings on a machine of few cores, else V8's defaults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeFlagsFor, SHARED_CORE_NODE_FLAGS, SHARED_CORES } from '@recmesh/cli';

describe('nodeFlagsFor', () => {
  it('defaults to the shared-core settings up to SHARED_CORES cores, none above', () => {
    assert.deepEqual(nodeFlagsFor({}, 2), [...SHARED_CORE_NODE_FLAGS]);
    assert.deepEqual(nodeFlagsFor({}, SHARED_CORES), [...SHARED_CORE_NODE_FLAGS]);
    assert.deepEqual(nodeFlagsFor({}, SHARED_CORES + 1), []);
  });

  it('takes RECMESH_NODE_FLAGS as given: space-separated, empty for none', () => {
    assert.deepEqual(nodeFlagsFor({ RECMESH_NODE_FLAGS: '' }, 2), []);
    assert.deepEqual(
      nodeFlagsFor({ RECMESH_NODE_FLAGS: ' --single-threaded-gc  --max-semi-space-size=32 ' }, 64),
      ['--single-threaded-gc', '--max-semi-space-size=32'],
    );
  });

  it('refuses a word that is not a flag, naming the variable and the word', () => {
    assert.throws(
      () => nodeFlagsFor({ RECMESH_NODE_FLAGS: '--single-threaded-gc main.js' }, 2),
      (err: Error & { field?: string; kind?: string }) =>
        err.kind === 'invalid_argument' &&
        err.field === 'RECMESH_NODE_FLAGS' &&
        /"main\.js" is not a node flag/.test(err.message),
    );
  });
});
