// A `slow` replica in a process of its own (see startReplicaProcess): it answers while the test's
// process is busy. Tells its parent its address once listening, and of each call as it arrives.
import { startReplica } from './replica';

const id = process.argv[2] ?? 'r0';
startReplica(id, 'slow', (request) => process.send?.({ call: request.model })).then(
  ({ address }) => process.send?.({ address }),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
process.on('disconnect', () => process.exit(0));
