// Renders every kustomization (kubectl kustomize, offline) and checks the manifests: against the
// Kubernetes schemas (kubernetes-models), for fields no schema knows, and for what recmesh needs
// of them (probes, budgets, autoscalers, references that resolve).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaProblems, unknownFields } from './support/k8s-schema';
import { imageOf, read, render, SERVICES, whyNoKubectl, type K8sObject } from './support/repo';

const skip = whyNoKubectl();
if (skip !== undefined) console.log(`kubernetes manifest checks skipped: ${skip}`);

/** Secrets that production creates itself (docs/deploy.md says how), so no overlay renders them. */
const EXTERNAL_SECRETS: Record<string, readonly string[]> = {
  base: ['nats-cluster-auth'],
  'overlays/prod': ['nats-cluster-auth'],
};

type Container = {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: { grpc?: { port: number } };
  readinessProbe?: { grpc?: { port: number } };
  livenessProbe?: { grpc?: { port: number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
};
type PodSpec = {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean };
  volumes?: { configMap?: { name: string }; secret?: { secretName: string } }[];
};
export const podSpec = (o: K8sObject) =>
  (o.spec as { template: { spec: PodSpec; metadata: { labels: Record<string, string> } } })
    .template;
const workloads = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

for (const dir of ['base', 'overlays/dev', 'overlays/prod']) {
  describe(`infra/k8s/${dir}`, { skip }, () => {
    const objects = skip === undefined ? render(dir) : [];

    it('renders, and every object is valid against its Kubernetes schema', () => {
      assert.ok(objects.length > 15, `${objects.length} objects`);
      assert.deepEqual(
        objects.flatMap((o) => schemaProblems(o).map((p) => `${o.kind}/${o.metadata.name}: ${p}`)),
        [],
      );
    });

    it('has no field that the schemas do not know', () => {
      assert.deepEqual(unknownFields(objects), []);
    });

    it('probes every recmesh container through grpc.health.v1 and sizes it', () => {
      for (const w of workloads(objects)) {
        const { spec } = podSpec(w);
        assert.equal(spec.securityContext?.runAsNonRoot, true, `${w.metadata.name} non-root`);
        for (const c of spec.containers.filter((c) => c.image.startsWith('recmesh/'))) {
          const grpc = c.ports?.find((p) => p.name === 'grpc')?.containerPort;
          assert.ok(grpc !== undefined, `${c.name}: a port named grpc`);
          for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const)
            assert.equal(c[probe]?.grpc?.port, grpc, `${c.name}: ${probe} on grpc.health.v1`);
          assert.ok(c.resources?.requests?.cpu !== undefined, `${c.name}: cpu request`);
          assert.ok(c.resources?.requests?.memory !== undefined, `${c.name}: memory request`);
          assert.ok(c.resources?.limits?.memory !== undefined, `${c.name}: memory limit`);
        }
      }
    });

    it('runs each service as its image, shards and the ledger as StatefulSets', () => {
      const byImage = (service: string) =>
        workloads(objects).filter((w) =>
          podSpec(w).spec.containers.some((c) => c.image.split(':')[0] === imageOf(service)),
        );
      for (const service of ['orchestrator', 'dense-worker'])
        assert.deepEqual(
          byImage(service).map((w) => w.kind),
          ['Deployment'],
          service,
        );
      assert.ok(byImage('embedding-shard').length >= 2, 'a StatefulSet per shard group');
      for (const service of ['embedding-shard', 'carbon-ledger'])
        for (const w of byImage(service)) {
          assert.equal(w.kind, 'StatefulSet', service);
          assert.ok(
            ((w.spec?.volumeClaimTemplates as unknown[]) ?? []).length > 0,
            `${w.metadata.name}: a volume claim`,
          );
        }
      assert.equal(
        SERVICES.filter((s) => byImage(s).length === 0).length,
        0,
        'every service is deployed',
      );
    });

    it('scales the Deployments on CPU and keeps budgets for disruptions', () => {
      const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
      const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
      for (const w of workloads(objects)) {
        const labels = podSpec(w).metadata.labels;
        const budget = pdbs.find((p) =>
          matches(
            (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
            labels,
          ),
        );
        if (w.metadata.name !== 'carbon-ledger')
          assert.ok(budget !== undefined, `${w.kind}/${w.metadata.name}: a PodDisruptionBudget`);
        if (w.kind !== 'Deployment') continue;
        const hpa = hpas.find(
          (h) =>
            (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name ===
            w.metadata.name,
        );
        assert.ok(hpa !== undefined, `${w.metadata.name}: a HorizontalPodAutoscaler`);
        const metrics = (hpa.spec as { metrics: { resource?: { name: string } }[] }).metrics;
        assert.ok(
          metrics.some((m) => m.resource?.name === 'cpu'),
          'on CPU',
        );
      }
    });

    it('runs NATS as a 3-node JetStream cluster with stable names', () => {
      const nats = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats');
      assert.ok(nats !== undefined);
      assert.equal(nats.spec?.replicas, 3);
      const headless = objects.find(
        (o) => o.kind === 'Service' && o.metadata.name === nats.spec?.serviceName,
      );
      assert.equal(headless?.spec?.clusterIP, 'None');
      assert.equal(headless?.spec?.publishNotReadyAddresses, true);
      const conf = objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('nats-config'),
      );
      assert.match(conf?.data?.['nats.conf'] ?? '', /jetstream \{[^}]*store_dir: \/data/);
      assert.match(conf?.data?.['nats.conf'] ?? '', /cluster \{/);
    });

    it('refers only to ConfigMaps and Secrets it defines (or that production brings)', () => {
      const defined = new Set(
        objects
          .filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret')
          .map((o) => o.metadata.name),
      );
      for (const name of EXTERNAL_SECRETS[dir] ?? []) {
        defined.add(name);
        if (dir.startsWith('overlays/'))
          assert.match(read('docs/deploy.md'), new RegExp(`create secret generic ${name}`));
      }
      for (const w of workloads(objects)) {
        const { spec } = podSpec(w);
        const refs = [
          ...(spec.volumes ?? []).flatMap((v) => [v.configMap?.name, v.secret?.secretName]),
          ...spec.containers.flatMap((c) => [
            ...(c.envFrom ?? []).flatMap((e) => [e.configMapRef?.name, e.secretRef?.name]),
            ...(c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name),
          ]),
        ].filter((r): r is string => r !== undefined);
        for (const ref of refs) assert.ok(defined.has(ref), `${w.metadata.name} refers to ${ref}`);
      }
    });

    it('gives every Service pods to select and container ports to reach', () => {
      for (const s of objects.filter((o) => o.kind === 'Service')) {
        const spec = s.spec as {
          selector: Record<string, string>;
          ports: { targetPort?: string | number }[];
        };
        const pods = workloads(objects).filter((w) =>
          matches(spec.selector, podSpec(w).metadata.labels),
        );
        assert.ok(pods.length > 0, `Service/${s.metadata.name} selects pods`);
        for (const port of spec.ports) {
          if (typeof port.targetPort !== 'string') continue;
          assert.ok(
            pods.every((w) =>
              podSpec(w).spec.containers.some((c) =>
                c.ports?.some((p) => p.name === port.targetPort),
              ),
            ),
            `Service/${s.metadata.name}: port ${port.targetPort}`,
          );
        }
      }
    });
  });
}
