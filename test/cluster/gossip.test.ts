/**
 * Gossip (`Gossip/Read`): both clients discover the cluster through `kurrentdb+discover://` and
 * multi-host connection strings, and the `ClusterInfo` every node answers follows failovers.
 */
import { credentials } from '@grpc/grpc-js';
import gossipGrpc from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/gossip_grpc_pb.js';
import sharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import { describe, expect, it } from 'vitest';
import { clusterCapabilities } from '../../src/testing/index.js';
import {
  clientOn,
  controlOf,
  event,
  readTypes,
  total,
  uniqueStream,
  useClusterHarness,
} from './support/cluster.js';

const capabilities = clusterCapabilities();

interface Member {
  instanceId: string;
  state: number;
  isAlive: boolean;
  address: string;
  port: number;
  timeStamp: string;
}

const LEADER = 8;
const FOLLOWER = 6;

function uuidText(uuid: InstanceType<typeof sharedPb.UUID> | undefined): string {
  const structured = uuid?.getStructured();
  if (structured === undefined) return uuid?.getString() ?? '';
  const hex = (value: string) => BigInt.asUintN(64, BigInt(value)).toString(16).padStart(16, '0');
  const all = hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
  return `${all.slice(0, 8)}-${all.slice(8, 12)}-${all.slice(12, 16)}-${all.slice(16, 20)}-${all.slice(20)}`;
}

/** Reads `ClusterInfo` from `address` with the official client's generated Gossip client. */
function gossipOf(address: string): Promise<Member[]> {
  const client = new gossipGrpc.GossipClient(address, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.read(new sharedPb.Empty(), (error, info) => {
      client.close();
      if (error !== null || info === undefined) {
        reject(error ?? new Error('no ClusterInfo'));
        return;
      }
      resolve(
        info.getMembersList().map((member) => ({
          instanceId: uuidText(member.getInstanceId()),
          state: member.getState(),
          isAlive: member.getIsAlive(),
          address: member.getHttpEndPoint()?.getAddress() ?? '',
          port: member.getHttpEndPoint()?.getPort() ?? 0,
          timeStamp: member.getTimeStamp(),
        })),
      );
    });
  });
}

function addressOf(uri: string): string {
  const url = new URL(uri);
  return `${url.hostname}:${url.port}`;
}

describe('gossip', () => {
  const harness = useClusterHarness();

  for (const kind of ['discover', 'multi-host'] as const) {
    it(`a JS append and a Rust-bridge read go through a ${kind} connection string`, async () => {
      const uri = kind === 'discover' ? harness().discoverUri : harness().multiHostUri;
      const client = clientOn(uri);
      const control = harness().control;
      const before = control === undefined ? 0 : total(control, 'appendsCommitted');
      try {
        const stream = uniqueStream('gossip');
        await client.appendToStream(stream, [event('Discovered')]);
        expect(await readTypes(client, stream)).toEqual(['Discovered']);
      } finally {
        await client.dispose();
      }
      if (control !== undefined) {
        // The write was committed once (the leader counts every commit, forwarded or not).
        expect(total(control, 'appendsCommitted')).toBe(before + 1);
      }
    });
  }

  it.runIf(capabilities.nodeAddressing)(
    'every node answers a ClusterInfo with one alive leader, followers, UUID instance ids and HTTP endpoints',
    async () => {
      for (const uri of harness().nodeUris) {
        const members = await gossipOf(addressOf(uri));
        expect(members).toHaveLength(harness().nodeUris.length);
        expect(members.filter((m) => m.state === LEADER && m.isAlive)).toHaveLength(1);
        expect(members.filter((m) => m.state === FOLLOWER)).toHaveLength(members.length - 1);
        expect(new Set(members.map((m) => m.instanceId)).size).toBe(members.length);
        for (const member of members) {
          expect(member.instanceId).toMatch(
            /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
          );
          expect(BigInt(member.timeStamp)).toBeGreaterThan(0n);
        }
        expect(members.map((m) => `${m.address}:${m.port}`).sort()).toEqual(
          harness().nodeUris.map(addressOf).sort(),
        );
      }
    },
  );

  it.runIf(capabilities.nodeControl)(
    'gossip reports the new leader after a failover, and a stopped node as not alive',
    async () => {
      const control = controlOf(harness());
      const old = control.leader();
      const elected = await control.failover();
      const members = await gossipOf(addressOf(elected.uri));
      const byId = new Map(members.map((m) => [m.instanceId, m]));
      expect(byId.get(elected.instanceId)?.state).toBe(LEADER);
      expect(byId.get(old?.instanceId ?? '')?.state).toBe(FOLLOWER);

      const follower = control.nodes.find((node) => node.state === 'follower' && node !== old);
      if (follower === undefined) throw new Error('no second follower');
      await control.stopNode(follower.index);
      try {
        const after = await gossipOf(addressOf(elected.uri));
        const stopped = after.find((m) => m.instanceId === follower.instanceId);
        expect(stopped?.isAlive).toBe(false);
        expect(after.filter((m) => m.isAlive)).toHaveLength(2);
      } finally {
        await control.startNode(follower.index);
      }
      expect(follower.state).toBe('follower');
    },
  );
});
