import type { Library, NodeIdentity } from "../library/library.ts";
import type { DocumentValidator } from "../library/validation.ts";
import type { KeyLoader } from "../signing/verify.ts";
import type { Logger } from "../log.ts";
import type { PeerStore } from "./peers.ts";

/** What the federation's dispatchers and inbox listeners work with. */
export interface FederationDeps {
  readonly library: Library;
  readonly validator: DocumentValidator;
  readonly peers: PeerStore;
  readonly loadKeys: KeyLoader;
  readonly identity: NodeIdentity;
  readonly logger: Logger;
  /** The city's actor handle (`seoul` in `@seoul@host`). */
  readonly city: string;
  readonly actorId: URL;
  readonly manuallyApprovesFollowers: boolean;
  /** When set, only these hosts may peer (WeGO membership). */
  readonly allowlist: readonly string[] | null;
  /** Accepts a pending follow request. */
  approve(actorId: string): Promise<unknown>;
  /**
   * Drops what the inbox door cached of an actor (its document, the keys it listed, the
   * proofs of ownership): called when the actor announces new keys.
   */
  forgetActorKeys(actorId: string, keyIds: readonly string[]): void;
  /** Starts importing a peer's library in the background. */
  startBackfill(actorId: string, mode: "full" | "incremental"): void;
}
