import { spawnSync } from 'node:child_process';

/** Runs `ip` with `args`; throws with its stderr when it fails. */
export function ip(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error !== undefined) throw r.error;
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * Why hosts in network namespaces cannot be made here, or undefined when they can: the test needs
 * Linux, root, iproute2 and a kernel that lets it add a namespace.
 */
export function whyNoNamespaces(): string | undefined {
  if (process.platform !== 'linux')
    return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)';
  const probe = `rmprobe${process.pid}`;
  try {
    ip('netns', 'add', probe);
  } catch (err) {
    return `cannot add a network namespace: ${(err as Error).message}`;
  }
  try {
    ip('-n', probe, 'link', 'add', 'name', 'va', 'type', 'veth', 'peer', 'name', 'vb');
    ip('-n', probe, 'link', 'add', 'name', 'br', 'type', 'bridge');
  } catch (err) {
    return `cannot make veth pairs and bridges in a namespace: ${(err as Error).message}`;
  } finally {
    ip('netns', 'del', probe);
  }
  return undefined;
}

export interface Host {
  /** Namespace name. */
  readonly ns: string;
  readonly address: string;
  /** Its port on the switch (in the switch's namespace): down = the host is cut off. */
  readonly port: string;
}

/**
 * A private network of hosts: one namespace per host, each with `eth0` on a /24, cabled by a veth
 * pair to a bridge that lives in a namespace of its own (the switch). Nothing is added to the
 * namespace this process runs in, so runs side by side do not meet.
 */
export class Network {
  readonly switchNs: string;
  private readonly hosts: Host[] = [];

  constructor(
    readonly prefix: string,
    readonly subnet: string,
  ) {
    this.switchNs = `${prefix}sw`;
    ip('netns', 'add', this.switchNs);
    ip('-n', this.switchNs, 'link', 'add', 'name', 'br0', 'type', 'bridge');
    ip('-n', this.switchNs, 'link', 'set', 'br0', 'up');
  }

  /** Adds host `name` at `<subnet>.<octet>`. */
  addHost(name: string, octet: number): Host {
    const ns = `${this.prefix}${name}`;
    const port = `p${octet}`;
    const address = `${this.subnet}.${octet}`;
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip(
      '-n',
      ns,
      'link',
      'add',
      'name',
      'eth0',
      'type',
      'veth',
      'peer',
      'name',
      port,
      'netns',
      this.switchNs,
    );
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', this.switchNs, 'link', 'set', port, 'master', 'br0');
    ip('-n', this.switchNs, 'link', 'set', port, 'up');
    const host = { ns, address, port };
    this.hosts.push(host);
    return host;
  }

  /** Pulls the host's cable at the switch: its packets go nowhere, nothing is closed. */
  cut(host: Host): void {
    ip('-n', this.switchNs, 'link', 'set', host.port, 'down');
  }

  /** Kills whatever still runs in the namespaces, then deletes them (and with them the veths). */
  destroy(): void {
    for (const ns of [...this.hosts.map((h) => h.ns), this.switchNs]) {
      try {
        for (const pid of ip('netns', 'pids', ns).split(/\s+/).filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // already gone
          }
        }
        ip('netns', 'del', ns);
      } catch {
        // never made, or already deleted
      }
    }
    this.hosts.length = 0;
  }
}
