// The recmesh command as a user runs it: `demo --json`, `up` then `rank`, Ctrl-C.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { checkHealth, listServices } from '@recmesh/rpc';

const BIN = join(__dirname, '../../packages/cli/bin/recmesh.js');

function run(
  args: string[],
  timeoutMs = 120_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`recmesh ${args.join(' ')} timed out:\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the recmesh command', () => {
  it('demo --json: exits 0 with zero errors and the summary as the last stdout line', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'recmesh-demo-'));
    const { code, stdout, stderr } = await run([
      'demo',
      '--model',
      'rmc1',
      '--seconds',
      '3',
      '--rate',
      '10',
      '--row-scale',
      '0.001',
      '--log-dir',
      logDir,
      '--json',
    ]);
    assert.equal(code, 0, stderr);
    const last = stdout.trim().split('\n').at(-1) ?? '';
    const summary = JSON.parse(last) as Record<string, unknown>;
    for (const key of ['model', 'queries', 'errors', 'qps', 'p50_ms', 'p95_ms', 'p99_ms'])
      assert.ok(key in summary, `${key} missing`);
    assert.equal(summary.model, 'rmc1');
    assert.equal(summary.errors, 0);
    assert.ok((summary.queries as number) > 20);
  });

  it('bench dense --dot-lowering: times the lowerings side by side; refuses an unknown one by name', async () => {
    const args = ['bench', 'dense', '--model', 'rm-small', '--batch', '64', '--iterations', '5'];
    const { code, stdout, stderr } = await run([
      ...args,
      '--warmup',
      '1',
      '--dot-lowering',
      'gather,selected,folded',
      '--json',
    ]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as {
      dot_lowering: string;
      samples_per_s: number;
      lowerings: { dot_lowering: string; ms_per_batch: number; speedup_vs_first: number }[];
    };
    assert.equal(result.dot_lowering, 'gather');
    assert.ok(result.samples_per_s > 0);
    assert.deepEqual(
      result.lowerings.map((l) => l.dot_lowering),
      ['gather', 'selected', 'folded'],
    );
    assert.equal(result.lowerings[0]?.speedup_vs_first, 1);
    for (const l of result.lowerings) assert.ok(l.ms_per_batch > 0 && l.speedup_vs_first > 0);
    const bad = await run([...args, '--dot-lowering', 'gather,fast']);
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      /--dot-lowering = "?fast"?: must be one of auto, folded, selected, gather/,
    );
  });

  it('bench pipeline --model-batch-size: refuses an entry that is not model=n, naming it', async () => {
    for (const entry of ['rm-small=0', 'rm-small', 'rm-small=64=2', '=64']) {
      const bad = await run([
        'bench',
        'pipeline',
        '--pipeline',
        'two-stage',
        '--model-batch-size',
        entry,
      ]);
      assert.notEqual(bad.code, 0);
      assert.ok(
        bad.stderr.includes(`--model-batch-size = "${entry}": each entry is model=n`),
        bad.stderr,
      );
    }
  });

  it('bench pipeline --load-fractions: refuses a fraction outside (0, 1], naming it', async () => {
    for (const [list, part] of [
      ['0', '0'],
      ['0.5,1.5', '1.5'],
      ['half', 'half'],
      ['0.5,', ''],
    ]) {
      const bad = await run([
        'bench',
        'pipeline',
        '--pipeline',
        'two-stage',
        '--load-fractions',
        list as string,
      ]);
      assert.notEqual(bad.code, 0);
      assert.ok(
        bad.stderr.includes(
          `--load-fractions = "${part}": each must be a fraction of the baseline's qps_at_target in (0, 1]`,
        ),
        bad.stderr,
      );
    }
  });

  it('up starts every service (health and reflection answer), rank ranks, Ctrl-C stops them all', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'recmesh-up-'));
    const up = spawn(
      process.execPath,
      [
        BIN,
        'up',
        '--models',
        'rmc1-dot',
        '--row-scale',
        '0.0005',
        '--port',
        '0',
        '--mesh',
        `cli-${process.pid}`,
        '--log-dir',
        logDir,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    up.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const addresses: string[] = [];
    let target = '';
    for await (const line of createInterface({ input: up.stdout })) {
      const grpc = /\s(127\.0\.0\.1:\d+)\s+http:/.exec(line);
      if (grpc?.[1] !== undefined) addresses.push(grpc[1]);
      const api = /^Rank API\s+(\S+)/.exec(line);
      if (api?.[1] !== undefined) {
        target = api[1];
        break;
      }
    }
    assert.ok(target !== '', `up printed no Rank API address: ${stderr}`);
    assert.equal(addresses.length, 5);
    try {
      for (const address of addresses) {
        assert.equal(await checkHealth(address), 'SERVING');
        assert.ok((await listServices(address)).includes('grpc.health.v1.Health'));
      }
      // Give the orchestrator a moment to hear every announcement.
      let ranked: Awaited<ReturnType<typeof run>> | undefined;
      for (let i = 0; i < 20; i++) {
        ranked = await run([
          'rank',
          '--target',
          target,
          '--model',
          'rmc1-dot',
          '--items',
          '50',
          '--top-k',
          '5',
          '--json',
        ]);
        if (ranked.code === 0) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(ranked?.code, 0, ranked?.stderr);
      const reply = JSON.parse(ranked?.stdout.trim().split('\n').at(-1) ?? '{}') as {
        ranking: { score: number }[];
        carbon: { total_g: number };
      };
      assert.equal(reply.ranking.length, 5);
      assert.ok(reply.carbon.total_g > 0);
      const unknown = await run(['rank', '--target', target, '--model', 'nope']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /--model = "nope": not served/);
    } finally {
      const exited = new Promise<number | null>((r) => up.once('exit', (code) => r(code)));
      up.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
    }
    for (const address of addresses) await assert.rejects(checkHealth(address, '', 500));
  });
});
