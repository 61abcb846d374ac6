import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

/** Addresses a notification must not reach unless private networks are allowed: the machine itself and internal networks. */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

function isPrivate(address: string): boolean {
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is checked as the IPv4 address it is.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  return PRIVATE.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Where webhook notifications may go. Without WEBHOOK_ALLOW_PRIVATE_NETWORKS, a callback whose host
 * is or resolves to a loopback, private, link-local or multicast address is refused, when
 * subscribing and again before each delivery (DNS can change), so a write key cannot turn the
 * workers into a probe of internal services.
 */
export class CallbackPolicy {
  constructor(readonly allowPrivateNetworks: boolean) {}

  /** Why the URL may not receive notifications (transient when DNS failed: it may resolve later), or undefined when it may. */
  async refusal(url: string): Promise<{ reason: string; transient: boolean } | undefined> {
    if (this.allowPrivateNetworks) return undefined;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch {
      return { reason: `its host ${host} does not resolve`, transient: true };
    }
    const internal = addresses.find(isPrivate);
    if (!internal) return undefined;
    return { reason: `its host ${host} is a loopback or private address (${internal}); set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow one`, transient: false };
  }
}
