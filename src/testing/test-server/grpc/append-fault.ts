/**
 * The fail-after-commit fault of a test node, shared by the single test server and the nodes of
 * the test cluster: once armed, the next append the node receives is committed, then the node
 * drops every client connection instead of acknowledging it, so the client sees a connection
 * failure for a write that happened.
 *
 * @module
 */
import type { NodeRole } from './node-role.js';

/** One node's fail-after-commit fault: armed by a test, fired by the node's `appendCommitted`. */
export class AppendCommitFault {
  #armed: (() => void) | undefined;

  /**
   * Arms the fault for the next append. Resolves when it fired (the append was committed and
   * the clients were dropped). `then` runs synchronously when it fires, before any client can
   * reconnect. Arming again replaces the earlier arming (whose promise then never resolves).
   */
  arm(then?: () => void): Promise<void> {
    return new Promise((resolve) => {
      this.#armed = () => {
        then?.();
        resolve();
      };
    });
  }

  /** Disarms the fault (e.g. when the node stops); a pending `arm` promise never resolves. */
  disarm(): void {
    this.#armed = undefined;
  }

  /** True while armed. */
  get armed(): boolean {
    return this.#armed !== undefined;
  }

  /**
   * For {@link NodeRole.appendCommitted}: when armed, disarms, calls `disconnectClients`, fires
   * and returns `false` (do not acknowledge); otherwise returns `true`.
   */
  strike(disconnectClients: () => void): boolean {
    const fire = this.#armed;
    if (fire === undefined) return true;
    this.#armed = undefined;
    disconnectClients();
    fire();
    return false;
  }
}

/**
 * The role of a standalone node (a leader of a cluster of one, serving everything) whose
 * appends go through `fault`; `disconnectClients` is looked up when the fault fires, so the
 * role can be made before the node listens.
 */
export function standaloneRoleWith(
  fault: AppendCommitFault,
  disconnectClients: () => void,
): NodeRole {
  return {
    refusal: () => undefined,
    appendCommitted: () => fault.strike(disconnectClients),
  };
}
