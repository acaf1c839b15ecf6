// The names of the functions an SP image exports to the SPMC (the model's SP <-> SPMC execution
// ABI, packages/spmc/src/image-contract.ts: which are required, their types, when the SPMC calls
// them). Names only, for the SP image build (@lfa-wasm/as-build) and the SPMC's contract check;
// strings, so not part of the AssemblyScript twin (scripts/gen-assembly.mjs skips this file).

/** One world switch into the SP. */
export const SP_EXPORT_ENTRY = "entry";
/** The address of the image's register block x0..x17. */
export const SP_EXPORT_REGS = "regs";
/** The minimal runtime's collector, called after each entry. */
export const SP_EXPORT_COLLECT = "__collect";
/**
 * Pre-instantiable layout: applies the image's passive data segments (memory.init + data.drop
 * each), as wasm-ld's function of the same name does for passive segments.
 */
export const SP_EXPORT_DATA_INIT = "__wasm_init_memory";
/** Pre-instantiable layout: the image's start function, exported instead of run at instantiation (the WASI reactor's name). */
export const SP_EXPORT_START = "_initialize";

/**
 * A global (i32), optional: the SP runtime's high-water mark of the working window — every byte
 * of the window the image wrote lies below it, except the window's last SP_WINDOW_TAIL_BYTES
 * (where its allocator keeps its end marker). The SPMC zeroes only that much at the next swap
 * (docs/security.md#the-working-window-at-a-live-activation).
 */
export const SP_EXPORT_HEAP_TOP = "__heap_top";
/** The end of the window an SP runtime may write besides what lies below its __heap_top. */
export const SP_WINDOW_TAIL_BYTES = 16;

/** Every export the SPMC may call or read; an image built for it exports nothing else. */
export const SP_IMAGE_EXPORT_NAMES: readonly string[] = Object.freeze([
  SP_EXPORT_ENTRY, SP_EXPORT_REGS, SP_EXPORT_COLLECT, SP_EXPORT_DATA_INIT, SP_EXPORT_START, SP_EXPORT_HEAP_TOP,
]);
