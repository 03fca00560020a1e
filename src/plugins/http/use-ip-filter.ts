import ipaddr from 'ipaddr.js';
import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { requestForbidden } from '../../core/errors';
import { PolicyOptionError } from '../shared/option-checks';

export interface IpFilterOptions {
  /** CIDRs (or single addresses) allowed to call this BFF; when set, everyone else gets 403. @default undefined (everyone) */
  allow?: string[];
  /** CIDRs (or single addresses) refused with 403; checked before `allow`. @default [] */
  deny?: string[];
  /**
   * Proxies whose `X-Forwarded-For` is believed (CIDRs). The client is the last
   * address in the chain that is not one of them. Without it, the socket's peer
   * address counts and the header is ignored (clients can forge it). @default []
   */
  trustedProxies?: string[];
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function parseRanges(name: string, list: string[] | undefined): Range[] {
  return (list ?? []).map((entry) => {
    try {
      if (entry.includes('/')) return ipaddr.parseCIDR(entry);
      const address = ipaddr.process(entry);
      return [address, address.kind() === 'ipv4' ? 32 : 128] as Range;
    } catch {
      throw new PolicyOptionError('useIpFilter', `${name}: "${entry}" is not an IP address or CIDR`);
    }
  });
}

function parseAddress(text: string | undefined): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!text || !ipaddr.isValid(text.trim())) return undefined;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is matched as IPv4.
  return ipaddr.process(text.trim());
}

const inAny = (address: ipaddr.IPv4 | ipaddr.IPv6, ranges: Range[]) =>
  ranges.some(([base, bits]) => address.kind() === base.kind() && address.match([base, bits] as never));

/** The caller's address: the socket peer, or the last untrusted hop of X-Forwarded-For behind trusted proxies. */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | null,
  trustedProxies: Range[],
): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  let address = parseAddress(peer);
  if (!address || trustedProxies.length === 0 || !forwardedFor || !inAny(address, trustedProxies)) return address;
  const hops = forwardedFor.split(',').reverse();
  for (const hop of hops) {
    const hopAddress = parseAddress(hop);
    if (!hopAddress) return undefined;
    address = hopAddress;
    if (!inAny(hopAddress, trustedProxies)) break;
  }
  return address;
}

/** IP allow/deny lists per BFF, by CIDR (ipaddr.js): a refused caller gets 403 FORBIDDEN before anything else runs. */
export function useIpFilter(options: IpFilterOptions): Plugin {
  const allow = options.allow === undefined ? undefined : parseRanges('allow', options.allow);
  const deny = parseRanges('deny', options.deny);
  const trusted = parseRanges('trustedProxies', options.trustedProxies);
  return {
    onRequest({ request, serverContext, endResponse, fetchAPI }) {
      const socketPeer = (serverContext as { req?: IncomingMessage } | undefined)?.req?.socket?.remoteAddress;
      const address = clientAddress(socketPeer, request.headers.get('x-forwarded-for'), trusted);
      const refused = !address || inAny(address, deny) || (allow !== undefined && !inAny(address, allow));
      if (!refused) return;
      const error = requestForbidden('Requests from this address are not allowed');
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.extensions.code } }] }),
          {
            status: 403,
            headers: { 'content-type': 'application/json; charset=utf-8' },
          },
        ),
      );
    },
  };
}
