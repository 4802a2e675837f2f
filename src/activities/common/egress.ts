import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { nonRetryable } from './failures.js';

/**
 * Where webhook deliveries and `http` tasks may connect (SPEC §3 rule 15). Each is a request
 * the worker makes on a definition's behalf, from inside the worker's network: a URL naming a private,
 * link-local (cloud metadata at 169.254.169.254) or loopback address would reach services
 * that the outside cannot. Those addresses are refused unless the worker's operator allows
 * their class in SWITCHYARD_WEBHOOK_ALLOW_NETWORKS (`loopback`, `private`, `link-local`).
 * Unspecified, multicast and broadcast addresses are always refused.
 *
 * The check runs before any socket opens: on the URL's host when it is an address, else on
 * every address the name resolves to, inside the connection's own DNS lookup, so a name
 * cannot resolve to a public address for the check and to a private one for the connection.
 */

/** Address classes an operator may allow. */
export const NETWORK_CLASSES = ['loopback', 'private', 'link-local'] as const;
export type NetworkClass = (typeof NETWORK_CLASSES)[number];
type AddressClass = NetworkClass | 'reserved';

export const ALLOW_NETWORKS_ENV = 'SWITCHYARD_WEBHOOK_ALLOW_NETWORKS';

const RANGES: Record<AddressClass, readonly (readonly [string, number, 'ipv4' | 'ipv6'])[]> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  private: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
    ['fc00::', 7, 'ipv6'], // unique local
  ],
  'link-local': [
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ],
  reserved: [
    ['0.0.0.0', 8, 'ipv4'],
    ['224.0.0.0', 4, 'ipv4'], // multicast, and 240/4 up to broadcast
    ['240.0.0.0', 4, 'ipv4'],
    ['::', 128, 'ipv6'],
    ['ff00::', 8, 'ipv6'],
  ],
};

const LISTS = Object.fromEntries(
  Object.entries(RANGES).map(([name, ranges]) => {
    const list = new BlockList();
    for (const [net, prefix, family] of ranges) list.addSubnet(net, prefix, family);
    return [name, list];
  }),
) as Record<AddressClass, BlockList>;

/** `::ffff:10.0.0.1` is 10.0.0.1 to the kernel, so it is checked as that. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1] ?? address;
}

/** The class of a non-public address, or undefined for a public one. */
export function addressClass(address: string): AddressClass | undefined {
  const ip = unmapped(address.replace(/^\[|\]$/g, ''));
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  return (Object.keys(LISTS) as AddressClass[]).find((name) => LISTS[name].check(ip, family));
}

/** The classes SWITCHYARD_WEBHOOK_ALLOW_NETWORKS allows, or the problem with its value. */
export function allowedNetworks(env: NodeJS.ProcessEnv): ReadonlySet<NetworkClass> | string {
  const raw = env[ALLOW_NETWORKS_ENV]?.trim();
  if (!raw) return new Set();
  const names = raw.split(/[\s,]+/).filter(Boolean);
  const unknown = names.filter((n) => !(NETWORK_CLASSES as readonly string[]).includes(n));
  if (unknown.length > 0)
    return `${ALLOW_NETWORKS_ENV}: unknown ${unknown.map((n) => JSON.stringify(n)).join(', ')} (use ${NETWORK_CLASSES.join(', ')})`;
  return new Set(names as NetworkClass[]);
}

/** Why `address` (reached as `host`) is refused, or undefined when it may be used. */
export function refusal(host: string, address: string, allowed: ReadonlySet<NetworkClass>): string | undefined {
  const kind = addressClass(address);
  if (kind === undefined) return undefined;
  const named = host === address ? `${address} is` : `${host} resolves to ${address},`;
  if (kind === 'reserved') return `${named} an unspecified, multicast or broadcast address, never a webhook or http target`;
  if (allowed.has(kind)) return undefined;
  return `${named} a ${kind} address; webhooks and http tasks go only to public addresses unless the worker allows ${kind} ones (${ALLOW_NETWORKS_ENV}=${kind})`;
}

function refused(service: string, why: string): Error {
  return nonRetryable('AddressRefused', `${service}: ${why}`);
}

/**
 * A dispatcher whose connections may reach only the addresses `allowed` permits, and the
 * failure to throw before any request when the URL's host is itself a refused address.
 */
export function guardedDispatcher(url: string, env: NodeJS.ProcessEnv, service: string): Dispatcher {
  const allowed = allowedNetworks(env);
  if (typeof allowed === 'string') throw nonRetryable('ConfigError', allowed);
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    const why = refusal(host, host, allowed);
    if (why) throw refused(service, why);
  }
  const key = `${service}\0${[...allowed].sort().join(',')}`;
  let agent = AGENTS.get(key);
  if (!agent) {
    agent = guardedAgent(allowed, service);
    AGENTS.set(key, agent);
  }
  return agent;
}

/** One connection pool per (service, allowed classes): keep-alive works across deliveries. */
const AGENTS = new Map<string, Agent>();

function guardedAgent(allowed: ReadonlySet<NetworkClass>, service: string): Agent {
  const lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const bad = addresses.map((a) => refusal(hostname, a.address, allowed)).find((why) => why !== undefined);
      if (bad) return callback(refused(service, bad) as NodeJS.ErrnoException, []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
  return new Agent({ connect: { lookup } as Record<string, unknown> });
}
