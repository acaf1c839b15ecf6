// The sample SP's own request protocol, carried in partition (non-framework) direct messages.
// Mirrored for TypeScript in ../src/index.ts (the tests exercise both against each other).

/** x3 of a request: the command. */
export const SP_CMD_ECHO: u32 = 1; // x4..x7 returned as is
export const SP_CMD_COUNTER_INC: u32 = 2; // returns the new count in x4
export const SP_CMD_VERSION: u32 = 3; // returns major in x4, minor in x5
export const SP_CMD_ID_GET: u32 = 4; // the SP asks the SPMC (FFA_ID_GET via ffa_call), returns it in x4

/** x3 of a response: the status. */
export const SP_STATUS_OK: u32 = 0;
/** Unknown command (same value as FFA_INVALID_PARAMETERS as u32). */
export const SP_STATUS_UNKNOWN_COMMAND: u32 = 0xfffffffe;
/** Request not supported by this image (e.g. a framework message, x2 != 0). Same value as FFA_NOT_SUPPORTED as u32. */
export const SP_STATUS_NOT_SUPPORTED: u32 = 0xffffffff;
