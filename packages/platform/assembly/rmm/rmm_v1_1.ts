// RMM image v1.1: RMI/RSI ABI revision 1.1 (what RSI_VERSION / RMI_VERSION answer changes).
import { rmm_configure } from "./rmm_core";
export { regs, rmm_cold_boot, rmm_warm_boot, rmm_handler } from "./rmm_core";
rmm_configure(0x10001, false);
