// @lfa-wasm/host-driver — the Linux LFA driver model (drivers/firmware/smccc/lfa_fw.c).
// This first cut carries the image identity and attribute formats; the sysfs tree, the
// activation sequence and fw_upload arrive with the normal-world issue.
export * from "./images.js";
