// @lfa-wasm/host-driver — the Linux LFA driver model (drivers/firmware/smccc/lfa_fw.c, v3) on the
// virtual board: /sys/firmware/lfa, stop_machine through the PE scheduler, the smc_lock rwsem,
// notifications with auto_activate, and fw_upload (/sys/class/firmware) with an update policy.
export * from "./images.js";
export * from "./errors.js";
export * from "./driver.js";
export * from "./sysfs.js";
export * from "./fw-upload.js";
export * from "./policy.js";
export * from "./preflight.js";
export { firmwareReason, firmwareReasons } from "./firmware-log.js";
export { lfaErrorString, LFA_TIMED_OUT, LFA_CALL_AGAIN_INTERNAL } from "./lfa-errors.js";
export { kstrtobool, simpleStrtol } from "./parse.js";
export { Kernel, RwSemaphore, Task, DeadlockError as KernelDeadlockError, msleep, condResched, type KOp, type Wait } from "./kernel.js";
