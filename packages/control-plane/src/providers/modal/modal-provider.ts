/**
 * `modal` provider: a sandbox per incarnation, created by our Modal app (packages/modal-app) from
 * Nightshift's sandbox image, carrying only the bootstrap variables (the app refuses anything
 * else) and the labels as Modal tags; its network limited to the control plane and the tenant's
 * egress allow-list. The app runs the runtime as the sandbox's command; readiness is the
 * runtime's hello on the bridge, as for every provider. Nightshift stops idle sandboxes itself;
 * the app's lifetime cap and the label-matched reconciler catch what it lost track of.
 */
import {
  type CreateSandboxInput,
  checkCreateInput,
  type SandboxHandle,
  type SandboxProvider,
  SandboxProviderError,
  type SandboxSnapshot,
} from "../provider";
import { type CreateBody, ModalAppClient, type ModalSandbox, type SnapshotList } from "./modal-client";
import { classifyModalError } from "./modal-errors";

export interface ModalProviderConfig {
  /** The base URL of our app's web endpoint (MODAL_APP_URL), without a trailing slash. */
  appUrl: string;
  /** The workspace Proxy Auth Token, sent as Modal-Key / Modal-Secret. */
  tokenId: string;
  tokenSecret: string;
  /** Labelled on every sandbox when the launcher did not (NIGHTSHIFT_DEPLOYMENT). */
  deployment?: string;
  fetch?: typeof fetch;
}

export class ModalSandboxProvider implements SandboxProvider {
  readonly name = "modal";
  private readonly client: ModalAppClient;
  private readonly config: ModalProviderConfig;

  constructor(config: ModalProviderConfig) {
    this.config = config;
    this.client = new ModalAppClient({
      appUrl: config.appUrl,
      tokenId: config.tokenId,
      tokenSecret: config.tokenSecret,
      ...(config.fetch ? { fetch: config.fetch } : {}),
    });
  }

  /** From the base image, or from `input.fromSnapshot` (a Modal image id `snapshot` returned). */
  create(input: CreateSandboxInput): Promise<SandboxHandle> {
    const snapshotId = input.fromSnapshot ?? null;
    if (snapshotId !== null && !/^im-[A-Za-z0-9]{1,64}$/.test(snapshotId))
      return Promise.reject(
        new SandboxProviderError("invalid sandbox request: fromSnapshot: not a Modal image id", "permanent"),
      );
    return this.createSandbox(input, snapshotId);
  }

  async terminate(providerId: string): Promise<void> {
    // An id the app does not know is a sandbox already gone: terminating it again succeeds.
    await this.guard([], () => this.client.terminate(providerId));
  }

  /** The sandbox's state as Modal reports it, or null when it is gone. */
  status(providerId: string): Promise<ModalSandbox | null> {
    return this.guard([], () => this.client.get(providerId));
  }

  /**
   * Snapshots the sandbox's filesystem; `ref` is the id of the image to create from. The app
   * records it under a name carrying its owner (the sandbox's labels), which the sweep judges.
   */
  async snapshot(providerId: string, purpose: "warm" | "resume"): Promise<SandboxSnapshot> {
    return { ref: await this.guard([], () => this.client.snapshot(providerId, purpose)) };
  }

  /** Deletes the snapshot's image; one the app no longer has is already deleted. */
  async deleteSnapshot(ref: string): Promise<void> {
    if (!/^im-[A-Za-z0-9]{1,64}$/.test(ref))
      throw new SandboxProviderError("invalid snapshot reference: not a Modal image id", "permanent");
    await this.guard([], () => this.client.deleteSnapshot(ref));
  }

  /** The filesystem snapshots the app took and still keeps (the snapshot sweep's view). */
  async listSnapshots(): Promise<SnapshotList> {
    return this.guard([], () => this.client.listSnapshots());
  }

  /** The app's running Nightshift sandboxes carrying every label given (the reconciler's view). */
  async listSandboxes(labels: Record<string, string> = {}): Promise<ModalSandbox[]> {
    const wanted = {
      ...(this.config.deployment ? { "nightshift.deployment": this.config.deployment } : {}),
      ...labels,
    };
    return (await this.guard([], () => this.client.list(wanted))).sandboxes;
  }

  private async createSandbox(input: CreateSandboxInput, snapshotId: string | null): Promise<SandboxHandle> {
    checkCreateInput(input);
    const created = await this.guard(Object.values(input.bootstrap), () =>
      this.client.create(this.createBody(input, snapshotId)),
    );
    const ported = (input.egress?.allowHosts ?? []).filter((host) => /:\d+$/.test(host));
    const warnings = [
      ...created.warnings,
      ...(ported.length > 0
        ? [
            `Modal allows whole domains: the ports in the egress allow-list (${ported.slice(0, 3).join(", ")}) are not enforced`,
          ]
        : []),
    ];
    return { providerId: created.id, isolation: created.isolation, warnings };
  }

  private createBody(input: CreateSandboxInput, snapshotId: string | null): CreateBody {
    return {
      env: { ...input.bootstrap },
      labels: {
        ...(this.config.deployment ? { "nightshift.deployment": this.config.deployment } : {}),
        ...input.labels,
      },
      allowHosts: input.egress?.allowHosts ?? [],
      ...(snapshotId ? { snapshotId } : {}),
    };
  }

  private async guard<T>(extraSecrets: readonly string[], call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw classifyModalError(err, {
        appUrl: this.config.appUrl,
        secrets: [this.config.tokenId, this.config.tokenSecret, ...extraSecrets],
      });
    }
  }
}
