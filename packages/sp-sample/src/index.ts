/**
 * @lfa-wasm/sp-sample — sample secure partition images (AssemblyScript → Wasm) and the metadata
 * a host needs to load them. The execution ABI is described in ../README.md.
 */

/** An SP working window inside the SP's Memory (= its IPA space, design D1). */
export interface SpWindow {
  /** Manifest `load-address`: WIN_LO. */
  loadAddress: number;
  /** Manifest `mem-size` of the working region: WIN_HI - WIN_LO. */
  memSize: number;
}

/**
 * The compact IPA layout every sample image is built for (the model's stand-in for Hafnium's
 * load-address 0x6480000, see README): working window [1 MiB, 2 MiB) in a 4 MiB Memory.
 * Keep in sync with the `build` script in package.json (the tests instantiate with these values).
 */
export const SP_SAMPLE_WINDOW: Readonly<SpWindow> = Object.freeze({ loadAddress: 0x100000, memSize: 0x100000 });
/** Size of the SP's Memory (IPA space) in 64 KiB pages: 4 MiB. */
export const SP_SAMPLE_MEMORY_PAGES = 64;

/** Number of u64 registers in the block (x0..x17, design D4). */
export const SP_NUM_REGS = 18;

export interface SpImageInfo {
  /** File URL of the built .wasm. */
  url: URL;
  window: Readonly<SpWindow>;
  /** Memory pages the image declares as its maximum (create the Memory with at most this). */
  memoryPages: number;
  /** What SP_CMD_VERSION answers. */
  version: Readonly<{ major: number; minor: number }>;
}

export const images = {
  v1: {
    url: new URL("../build/sp_v1.wasm", import.meta.url),
    window: SP_SAMPLE_WINDOW,
    memoryPages: SP_SAMPLE_MEMORY_PAGES,
    version: Object.freeze({ major: 1, minor: 0 }),
  },
} as const satisfies Record<string, SpImageInfo>;

export type SpImageName = keyof typeof images;

/**
 * What an SP image exports (design D4: no u64 parameters). `regs()` returns the byte address of
 * the 18×u64 register block inside the working window.
 */
export interface SpImageExports {
  regs(): number;
  entry(): void;
  __collect(): void;
}

// The sample service carried in partition direct requests (mirror of assembly/service.ts).
/** x3 = 1: echo, x4..x7 returned as is. */
export const SP_CMD_ECHO = 1;
/** x3 = 2: increment the SP's counter, new count in x4. */
export const SP_CMD_COUNTER_INC = 2;
/** x3 = 3: image version, major in x4, minor in x5. */
export const SP_CMD_VERSION = 3;
/** x3 = 4: the SP calls FFA_ID_GET through `ffa_call` and returns its ID in x4. */
export const SP_CMD_ID_GET = 4;
/** Response x3: success. */
export const SP_STATUS_OK = 0;
/** Response x3: unknown command (= FFA_INVALID_PARAMETERS as u32). */
export const SP_STATUS_UNKNOWN_COMMAND = 0xfffffffe;
/** Response x3: not supported by this image, e.g. a framework message (= FFA_NOT_SUPPORTED as u32). */
export const SP_STATUS_NOT_SUPPORTED = 0xffffffff;
