// Lints infra/docker/*.Dockerfile without a Docker engine: dockerfile-utils' validator (the
// parser and checks of the VS Code Docker extension) for syntax, then recmesh's own rules.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validate } from 'dockerfile-utils';
import { dockerfile } from './support/dockerfile';
import { METRICS_PORT, read, ROOT, SERVICES } from './support/repo';

/** Paths the build context must carry: COPY sources not excluded by .dockerignore. */
const ignored = read('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

for (const service of SERVICES) {
  describe(`infra/docker/${service}.Dockerfile`, () => {
    const d = dockerfile(service);

    it('parses without a diagnostic', () => {
      assert.deepEqual(
        validate(d.text).map((x) => `line ${x.range.start.line + 1}: ${x.message}`),
        [],
      );
    });

    it('builds in stages on a glibc Node 20 image, from a pruned workspace', () => {
      assert.ok(d.stages.length >= 3, 'prune, build and run stages');
      for (const stage of d.stages)
        assert.equal(stage.image, 'node:20-bookworm-slim', 'onnxruntime-node needs glibc');
      const prune = d.stages[0]?.instructions.map(d.args).join('\n') ?? '';
      assert.match(prune, new RegExp(`turbo prune @recmesh/${service} --docker`));
      assert.match(prune, /turbo@\d+\.\d+\.\d+/, 'turbo pinned');
      const build = d.stages.find((s) => s.name === 'build');
      assert.ok(build !== undefined, 'a build stage');
      const apt = d
        .of(build, 'RUN')
        .map(d.args)
        .find((a) => a.includes('apt-get install'));
      assert.ok(apt !== undefined, 'the build stage installs the toolchain of native addons');
      for (const tool of ['python3', 'make', 'g++']) assert.ok(apt.includes(` ${tool}`), tool);
      assert.ok(apt.includes('--no-install-recommends'), 'apt-get install --no-install-recommends');
      assert.ok(apt.includes('rm -rf /var/lib/apt/lists'), 'apt lists removed in the same layer');
      assert.ok(
        d.of(build, 'RUN').some((i) => /npm ci\b/.test(d.args(i))),
        'npm ci (the lockfile, not a fresh resolve)',
      );
      assert.ok(
        d.of(build, 'RUN').some((i) => d.args(i).includes('npm prune --omit=dev')),
        'dev dependencies pruned',
      );
    });

    it('runs as a non-root user, serves on 0.0.0.0, health-checks through grpc.health.v1', () => {
      const user = d.of(d.final, 'USER').map(d.args).at(-1);
      assert.ok(user !== undefined && !['root', '0'].includes(user), `USER ${user}`);
      assert.equal(d.env.get('RECMESH_HOST'), '0.0.0.0');
      assert.ok(d.port > 0, 'a fixed RECMESH_PORT');
      assert.equal(Number(d.env.get('RECMESH_METRICS_PORT')), METRICS_PORT);
      const expose = d.of(d.final, 'EXPOSE').flatMap((i) => d.args(i).split(/\s+/).map(Number));
      assert.deepEqual(expose.sort(), [d.port, METRICS_PORT].sort());
      const health = d.of(d.final, 'HEALTHCHECK').map((i) => i.getTextContent());
      assert.equal(health.length, 1);
      assert.match(health[0] ?? '', /CMD \["node", "\/app\/healthcheck\.cjs"\]/);
      assert.match(health[0] ?? '', /--timeout=3s/);
      const cmd = d.of(d.final, 'CMD').map(d.args);
      assert.deepEqual(cmd, [`["node", "services/${service}/dist/main.js"]`], 'exec form');
    });

    it('copies only what the build context carries', () => {
      for (const stage of d.stages) {
        for (const copy of d.of(stage, 'COPY').concat(d.of(stage, 'ADD'))) {
          assert.equal(copy.getKeyword(), 'COPY', 'COPY, not ADD');
          const text = copy.getTextContent();
          if (text.includes('--from=')) continue;
          const [source] = d.args(copy).split(/\s+/);
          if (source === '.') continue;
          assert.ok(existsSync(join(ROOT, source ?? '')), `${source} exists`);
          assert.ok(
            !ignored.some((pattern) => (source ?? '').startsWith(pattern.replace(/^\*\*\//, ''))),
            `${source} is not excluded by .dockerignore`,
          );
        }
      }
    });
  });
}
