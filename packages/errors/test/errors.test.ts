import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fromGrpcError,
  GrpcCode,
  invalidArgument,
  isRecmeshError,
  notFound,
  RecmeshError,
  toGrpcStatus,
  unavailable,
} from '../src/index';

describe('error kinds', () => {
  it('name the field and the value in the message', () => {
    const err = invalidArgument('items.sparse[2].bags.offsets[3]', 17, 'offsets must not decrease');
    assert.equal(err.message, 'items.sparse[2].bags.offsets[3] = 17: offsets must not decrease');
    assert.equal(err.field, 'items.sparse[2].bags.offsets[3]');
    assert.equal(err.value, 17);
    assert.equal(err.kind, 'invalid_argument');
  });

  it('map to gRPC codes in one place', () => {
    assert.equal(toGrpcStatus(invalidArgument('a', 1, 'x')).code, GrpcCode.INVALID_ARGUMENT);
    assert.equal(toGrpcStatus(notFound('model', 'nope', 'unknown')).code, GrpcCode.NOT_FOUND);
    assert.equal(toGrpcStatus(unavailable('gone')).code, GrpcCode.UNAVAILABLE);
    assert.equal(
      toGrpcStatus(new RecmeshError('resource_exhausted', 'full')).code,
      GrpcCode.RESOURCE_EXHAUSTED,
    );
    assert.equal(
      toGrpcStatus(new RecmeshError('deadline_exceeded', 'late')).code,
      GrpcCode.DEADLINE_EXCEEDED,
    );
    const internal = toGrpcStatus(new Error('boom'));
    assert.equal(internal.code, GrpcCode.INTERNAL);
    assert.match(internal.details, /boom/);
  });

  it('brand-checks without instanceof', () => {
    assert.ok(isRecmeshError(unavailable('x')));
    assert.ok(!isRecmeshError(new Error('x')));
    assert.ok(!isRecmeshError({ kind: 'unavailable' }));
  });

  it('turn a sub-call failure into the same kind, with who failed', () => {
    const err = fromGrpcError(
      { code: GrpcCode.UNAVAILABLE, details: 'connection refused' },
      'embedding shard shard-1',
    );
    assert.equal(err.kind, 'unavailable');
    assert.equal(err.message, 'embedding shard shard-1: connection refused');
    assert.equal(fromGrpcError({ code: 99 }, 'x').kind, 'internal');
  });
});
