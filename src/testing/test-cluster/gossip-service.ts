/**
 * `event_store.client.gossip.Gossip/Read`: the `ClusterInfo` a node answers, encoded as
 * `Gossip.Read.cs` builds it (instance id as a structured UUID, time stamp in ticks since the
 * Unix epoch, state, liveness and the HTTP endpoint of every member).
 *
 * @module
 */
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { method } from '../test-server/grpc/service-definitions.js';
import { ticksFromMs } from '../test-server/log/log-layout.js';
import type { ExtraService } from '../test-server/node/node-server.js';
import { SharedEmpty } from '../test-server/wire/generated.js';
import { ProtoWriter } from '../test-server/wire/proto-writer.js';
import { type TestNodeState, VNODE_STATE } from './vnode-state.js';

/** One member as gossip reports it. */
export interface GossipMember {
  readonly instanceId: string;
  /** When the member's state last changed, in ms since the epoch. */
  readonly sinceMs: number;
  readonly state: TestNodeState;
  readonly isAlive: boolean;
  readonly host: string;
  readonly port: number;
}

/** Encodes `ClusterInfo{ repeated MemberInfo members = 1 }`. */
export function encodeClusterInfo(members: readonly GossipMember[]): Buffer {
  const writer = new ProtoWriter(64 * (members.length + 1));
  for (const member of members) {
    const hex = member.instanceId.replaceAll('-', '');
    writer.message(1, (m) => {
      m.message(1, (uuid) =>
        uuid.message(1, (structured) =>
          structured
            .uintBig(1, BigInt(`0x${hex.slice(0, 16)}`))
            .uintBig(2, BigInt(`0x${hex.slice(16)}`)),
        ),
      );
      m.uintBig(2, ticksFromMs(member.sinceMs));
      m.uint(3, VNODE_STATE[member.state]);
      m.bool(4, member.isAlive);
      m.message(5, (endpoint) => endpoint.string(1, member.host).uint(2, member.port));
    });
  }
  return writer.finish();
}

/** The Gossip service of a node whose view of the cluster is `members()`. */
export function gossipService(members: () => readonly GossipMember[]): ExtraService {
  return {
    definition: {
      read: method('/event_store.client.gossip.Gossip/Read', SharedEmpty, false, false),
    },
    implementation: {
      read: (_call: ServerUnaryCall<unknown, Buffer>, callback: sendUnaryData<Buffer>) => {
        callback(null, encodeClusterInfo(members()));
      },
    },
  };
}
