// One truth across the deployables: the ports, variables and image names in the Dockerfiles,
// infra/compose.yaml and the Kubernetes manifests agree with each other and with what each
// service declares it reads (describeConfig of @recmesh/config's common spec and the service's
// own src/config.ts). Also the sharding plan they share, and memory requests against the
// measured memory of infra/k8s/measured-memory.json.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveModels, validatePlan, type ShardingPlan } from '@recmesh/models';
import { dockerfile } from './support/dockerfile';
import {
  composeFile,
  declaredVariables,
  imageOf,
  METRICS_PORT,
  PENDING,
  read,
  render,
  SERVICES,
  whyNoKubectl,
  type K8sObject,
} from './support/repo';

/** Set in images for Node itself, not for recmesh. */
const NODE_VARIABLES = new Set(['NODE_ENV']);

function unknownVariables(service: string, names: Iterable<string>): string[] {
  const declared = declaredVariables(service);
  const unknown: string[] = [];
  for (const name of names) {
    if (declared.has(name) || NODE_VARIABLES.has(name)) continue;
    if (PENDING[name] !== undefined)
      console.log(`${service}: ${name} is pending: ${PENDING[name]}`);
    else unknown.push(name);
  }
  return unknown;
}

const ports = new Map(SERVICES.map((s) => [s, dockerfile(s).port]));
const serviceOfImage = (image = '') => SERVICES.find((s) => image.split(':')[0] === imageOf(s));

describe('images', () => {
  it('each service listens on its own gRPC port, all on the same metrics port', () => {
    assert.equal(new Set(ports.values()).size, SERVICES.length, JSON.stringify([...ports]));
    for (const s of SERVICES) {
      const d = dockerfile(s);
      assert.deepEqual(unknownVariables(s, d.env.keys()), [], s);
      assert.equal(Number(d.env.get('RECMESH_METRICS_PORT')), METRICS_PORT);
    }
  });
});

describe('compose', () => {
  const compose = composeFile();
  const plan = JSON.parse(read('infra/k8s/base/config/plan.json')) as ShardingPlan;

  it('sets only variables the services read, and the ports of their images', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      const service = serviceOfImage(s.image);
      if (service === undefined) continue;
      assert.deepEqual(unknownVariables(service, Object.keys(s.environment ?? {})), [], name);
      for (const mapping of s.ports ?? [])
        assert.equal(Number(mapping.split(':').at(-1)), ports.get(service), `${name}: ${mapping}`);
    }
  });

  it('runs one shard of every plan group, with the plan its models need', () => {
    const shards = Object.values(compose.services).filter(
      (s) => serviceOfImage(s.image) === 'embedding-shard',
    );
    assert.deepEqual(
      shards.map((s) => s.environment?.RECMESH_SHARD_GROUP).sort(),
      plan.groups.map((g) => g.id).sort(),
    );
    for (const s of shards) {
      const mount = s.volumes?.find((v) => v.split(':')[1] === s.environment?.RECMESH_PLAN);
      assert.equal(mount?.split(':')[0], './k8s/base/config/plan.json', 'the plan Kubernetes uses');
    }
    const env = compose.services.orchestrator?.environment ?? {};
    const models = resolveModels(env.RECMESH_MODELS ?? '', {
      rowScale: Number(env.RECMESH_ROW_SCALE),
      seed: Number(env.RECMESH_SEED),
    });
    validatePlan(plan, models, 'infra/k8s/base/config/plan.json');
  });
});

type Container = {
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string } }[];
  resources: { requests: { memory: string }; limits: { memory: string } };
  volumeMounts?: { name: string; mountPath: string }[];
};
type Workload = K8sObject & {
  spec: {
    replicas?: number;
    template: {
      spec: {
        containers: Container[];
        volumes?: { name: string; configMap?: { name: string } }[];
      };
    };
  };
};

const mebibytes = (q: string) => {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  assert.ok(m !== null, `a memory quantity in Mi or Gi: ${q}`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};

const skip = whyNoKubectl();
describe('kubernetes (base)', { skip }, () => {
  const objects = skip === undefined ? render('base') : [];
  const configMap = (prefix: string) =>
    objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(prefix));
  const common = configMap('recmesh-config')?.data ?? {};
  const served = configMap('recmesh-models')?.data ?? {};
  const plan = JSON.parse(configMap('recmesh-plan')?.data?.['plan.json'] ?? '{}') as ShardingPlan;
  const recmesh = objects
    .filter((o): o is Workload => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .flatMap((w) =>
      w.spec.template.spec.containers
        .filter((c) => serviceOfImage(c.image) !== undefined)
        .map((c) => ({ w, c, service: serviceOfImage(c.image) as string })),
    );

  it('runs the images the Dockerfiles build, on their ports', () => {
    assert.deepEqual([...new Set(recmesh.map((r) => r.service))].sort(), [...SERVICES].sort());
    for (const { w, c, service } of recmesh) {
      const env = new Map((c.env ?? []).map((e) => [e.name, e.value]));
      const port = ports.get(service as (typeof SERVICES)[number]);
      assert.equal(Number(env.get('RECMESH_PORT')), port, `${w.metadata.name}: RECMESH_PORT`);
      assert.equal(c.ports?.find((p) => p.name === 'grpc')?.containerPort, port);
      assert.equal(c.ports?.find((p) => p.name === 'metrics')?.containerPort, METRICS_PORT);
    }
    assert.equal(Number(common.RECMESH_METRICS_PORT), METRICS_PORT);
    assert.equal(common.RECMESH_HOST, '0.0.0.0');
  });

  it('sets only variables the services read (their own, and the shared ConfigMap)', () => {
    for (const { w, c, service } of recmesh) {
      const fromConfigMaps = (c.envFrom ?? []).flatMap((e) =>
        Object.keys(configMap(e.configMapRef?.name ?? '\0')?.data ?? {}),
      );
      const names = [...(c.env ?? []).map((e) => e.name), ...fromConfigMaps];
      assert.deepEqual(unknownVariables(service, names), [], w.metadata.name);
    }
  });

  it('agrees with compose on the models, and serves every plan group with its replicas', () => {
    const compose = composeFile().services.orchestrator?.environment ?? {};
    for (const name of ['RECMESH_MODELS', 'RECMESH_ROW_SCALE', 'RECMESH_SEED'])
      assert.equal(served[name], compose[name], name);
    const models = resolveModels(served.RECMESH_MODELS ?? '', {
      rowScale: Number(served.RECMESH_ROW_SCALE),
      seed: Number(served.RECMESH_SEED),
    });
    validatePlan(plan, models, 'the recmesh-plan ConfigMap');
    const shards = recmesh.filter((r) => r.service === 'embedding-shard');
    const groups = new Map(
      shards.map(({ w, c }) => [c.env?.find((e) => e.name === 'RECMESH_SHARD_GROUP')?.value, w]),
    );
    assert.deepEqual([...groups.keys()].sort(), plan.groups.map((g) => g.id).sort());
    for (const g of plan.groups) assert.equal(groups.get(g.id)?.spec.replicas, g.replicas, g.id);
    for (const { w, c } of shards) {
      const path = c.env?.find((e) => e.name === 'RECMESH_PLAN')?.value ?? '';
      const volume = w.spec.template.spec.volumes?.find((v) =>
        v.configMap?.name.startsWith('recmesh-plan'),
      );
      const mount = c.volumeMounts?.find((m) => m.name === volume?.name);
      assert.equal(
        path,
        `${mount?.mountPath}/plan.json`,
        `${w.metadata.name} reads the mounted plan`,
      );
    }
  });

  it('requests at least the memory measured under load; shards also their tables', () => {
    const measured = JSON.parse(read('infra/k8s/measured-memory.json')) as {
      peakRssMiB: Record<string, number>;
      shardBaselineMiB: number;
    };
    const models = resolveModels(served.RECMESH_MODELS ?? '', {
      rowScale: Number(served.RECMESH_ROW_SCALE),
      seed: Number(served.RECMESH_SEED),
    });
    const tableMiB = (group: string) =>
      (plan.groups.find((g) => g.id === group)?.partitions ?? []).reduce((sum, p) => {
        const t = models.find((m) => m.name === p.model)?.tables[p.table];
        return sum + ((p.rowEnd - p.rowStart) * (t?.dim ?? 0) * 4) / 2 ** 20;
      }, 0);
    for (const { w, c, service } of recmesh) {
      const request = mebibytes(c.resources.requests.memory);
      const limit = mebibytes(c.resources.limits.memory);
      const group = c.env?.find((e) => e.name === 'RECMESH_SHARD_GROUP')?.value;
      const need =
        group === undefined
          ? (measured.peakRssMiB[service] ?? Infinity)
          : measured.shardBaselineMiB + tableMiB(group);
      assert.ok(
        request >= need,
        `${w.metadata.name}: ${request} MiB requested, ${need} MiB measured`,
      );
      assert.ok(limit >= request, `${w.metadata.name}: limit >= request`);
    }
  });
});
