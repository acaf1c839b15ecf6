// A faulty RMM image (test only): every boot fails with RMM_BOOT_ERR_INIT_FAILED.
import { rmm_configure } from "./rmm_core";
export { regs, rmm_cold_boot, rmm_warm_boot, rmm_handler } from "./rmm_core";
rmm_configure(0x10001, true);
