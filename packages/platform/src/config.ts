// What a board is made of: its PEs, the LFA component table, the secure world's packages and
// manifest, the trusted key, and the test hooks that make the firmware take its rarer paths.
import type { PrivateKeyInput, PublicKeyInput } from "@lfa-wasm/sp-pkg";
import type { Trace } from "@lfa-wasm/trace";
import type { SpWatchdogOptions } from "@lfa-wasm/spmc";

export type ComponentKind = "none" | "bl31" | "rmm" | "sp";

export interface ComponentConfig {
  /** Short name (stage() accepts it, or the UUID). */
  name: string;
  /** LFA component UUID (byte-order string, as TF-A's component table lists it). For an SP: its image UUID. */
  uuid: string;
  kind: ComponentKind;
  /** Default by kind: bl31 true, others false. */
  mayReset?: boolean;
  /** Default by kind: bl31/rmm true, sp false. */
  rendezvousRequired?: boolean;
  /** The package the component booted from (its trailer version is GET_INVENTORY x4). bl31/rmm: its image is what runs. */
  bootPackage?: Uint8Array;
  /** kind "sp": its FF-A id and its secure staging area (LIVE_ACTIVATION_START x4/x5). */
  sp?: { id: number; staging: { base: number; size: number } };
  /** Anti-rollback floor (default: the boot package's security version, else 0). */
  minSecurityVersion?: number;
  /** What the component is, for people (an SP's manifest `description`): `lfa list`'s NAME where the driver only knows the GUID. */
  description?: string;
}

/**
 * Update-policy entries the board brings (format lfa-wasm-update-policy/1 of @lfa-wasm/host-driver,
 * checked by its JSON Schema there): the host driver adds `components` to its shipped policy.
 */
export interface BoardUpdatePolicy {
  format: string;
  description?: string;
  components: Record<string, unknown>;
}

export interface BoardConfig {
  /** Number of PEs. */
  pes: number;
  /** PEs powered on at boot (0..bootCpus-1; default all). */
  bootCpus?: number;
  /** SPMC manifest (DTB). */
  spmcManifest: Uint8Array;
  /** SP packages in SPMC-manifest order (vm1, vm2, …). */
  spPackages: Uint8Array[];
  /** The LFA component table, in sequence-id order. */
  components: ComponentConfig[];
  /** The key PRIME verifies packages with (default: the TEST-ONLY public key of @lfa-wasm/sp-pkg). */
  trustedKey?: PublicKeyInput;
  /** options(flags) of the agent (AGENT_OPT_*; default 0 = the specification's intent). */
  agentOptions?: number;
  /**
   * A failed live activation rolls back to the old image (default true; docs/rollback.md): an SP
   * whose new image fails before FINISH completes gets its old image, live-state buffer and
   * framework state back (SPMC), a new RMM that fails to boot is replaced by the old one, a BL31
   * swap that cannot complete goes back to the old agent; ACTIVATE answers LFA_ACTIVATION_FAILED,
   * the version stays the old one and the staged image is dropped. false: the reference stacks'
   * behaviour (Hafnium aborts the SP and the LSP answers LFA_CRITICAL_ERROR; TF-A's RMM is gone,
   * ACTIVATION_FAILED; a failed BL31 swap answers LFA_CRITICAL_ERROR).
   */
  rollback?: boolean;
  /** The board's attestation key (Ed25519 private key) signing `attest()` reports (default: the TEST-ONLY key of @lfa-wasm/sp-pkg). */
  attestationKey?: PrivateKeyInput;
  /** Non-secure memory (default 16 MiB at 0x10000000). */
  nwd?: { base: number; size: number };
  /**
   * Non-volatile regions of SPs' IPA spaces (e.g. the variable SP's NV store): reboot() keeps
   * their bytes and boots a new board with them; everything else starts from reset.
   */
  nvRegions?: Array<{ id: number; base: number; size: number }>;
  /** What the NV regions held when the board went down (reboot() fills it; absent: first boot, zeroes). */
  nvContents?: Array<{ id: number; base: number; bytes: Uint8Array }>;
  /**
   * The SPMC's SP watchdog: fuel budget of one entry into an SP (default SP_FUEL_DEFAULT), and
   * per-SP budgets by partition ID. An SP that runs out is aborted (its fatal exception).
   */
  spWatchdog?: SpWatchdogOptions;
  trace?: Trace;
  /** Update-policy entries for this board's components (a board from sp_layout.json derives them). */
  updatePolicy?: BoardUpdatePolicy;
}

/**
 * Test hooks that make the firmware take its rarer paths (all off by default; counters count
 * down as they fire, `Infinity` = always). Every firing is traced (`lfa` events `fault:*`).
 */
export interface BoardFaults {
  /** plat `lfa_load_auth_image` answers -EAGAIN: PRIME returns (0, x1 = CALL_AGAIN) (a PRIME spanning several SMCs). */
  primeCallAgain: number;
  /** The SP activator (plat `sp_activate`) answers -EAGAIN before doing anything: ACTIVATE returns (0, x1 = CALL_AGAIN). */
  activateCallAgain: number;
  /** The next `times` SMCs with function id `fid` find the agent's `lfa_lock` held by another PE (the agent's own contention path: trylock users answer BUSY). */
  lfaLockHeld: { fid: number; times: number } | null;
}
