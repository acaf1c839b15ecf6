// RMM image v1.0: RMI/RSI ABI revision 1.0.
import { rmm_configure } from "./rmm_core";
export { regs, rmm_cold_boot, rmm_warm_boot, rmm_handler } from "./rmm_core";
rmm_configure(0x10000, false);
