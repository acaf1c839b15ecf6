/**
 * The normal-world client in U-Boot's role (U-Boot lib/efi_loader/efi_variable_tee.c,
 * drivers/firmware/arm-ffa, and the 2026 FF-A runtime series), one file per U-Boot part:
 *
 *  - ffa-bus.ts — FfaBus, the boot-time FF-A driver (arm-ffa-uclass): VERSION → ID_GET →
 *    FEATURES(RXTX_MAP) → RXTX_MAP_64 → PARTITION_INFO_GET(nil) → RX_RELEASE; partition discovery
 *    by UUID; DIRECT_REQ with the FFA_INTERRUPT/FFA_RUN loop; RXTX_UNMAP when the device is removed
 *    at EBS. FfaRuntime, the state the 2026 series keeps after ExitBootServices: {enabled,
 *    fwk_version, own id} and a send path that issues only FFA_MSG_SEND_DIRECT_REQ and FFA_RUN.
 *  - efi-variable-tee.ts — EfiVariables (efi_variable_tee.c): boot transport (copy in and out of
 *    the static shared buffer), runtime transport (message built in place, cached ids), the status
 *    pipeline, and the public GetVariable/SetVariable/GetNextVariableName/QueryVariableInfo/EBS API.
 *  - errno.ts — the errno values both return.
 */
export * from "./errno.js";
export * from "./ffa-bus.js";
export * from "./efi-variable-tee.js";
