// Linux-like errors of the driver model: a failing sysfs read/write carries its errno (the
// name, e.g. "ECANCELED") and the negative value a syscall would return.

export const ERRNO = Object.freeze({
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  ENOMEM: 12,
  EACCES: 13,
  EBUSY: 16,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ETIMEDOUT: 110,
  ECANCELED: 125,
});
export type Errno = keyof typeof ERRNO;

export interface LinuxErrorDetail {
  /** The LFA error string of a failed activation (lfa_error_string: "LFA_CRITICAL_ERROR", "timed out", …). */
  lfaError?: string;
  /** The inner error the driver turned into this one (e.g. EINVAL or ETIMEDOUT behind ECANCELED). */
  cause?: Errno;
  /** The LFA status (x0) or driver-internal code behind the failure, when there is one. */
  status?: number;
  /**
   * Why the firmware refused, in its own words: what it logged while the driver's call ran (the
   * trace `log` events, e.g. the SPMC's "incompatible manifest: exception-level: 2 -> 1"). Linux
   * sees only the status; the reason is on the firmware console.
   */
  reason?: string;
}

export class LinuxError extends Error {
  /** Negative errno value, as a syscall returns it (-EINVAL = -22). */
  readonly code: number;
  readonly lfaError?: string;
  readonly errnoCause?: Errno;
  readonly status?: number;
  readonly reason?: string;
  constructor(readonly errno: Errno, message: string, detail: LinuxErrorDetail = {}) {
    super(`${errno}: ${message}`);
    this.name = "LinuxError";
    this.code = -ERRNO[errno];
    this.lfaError = detail.lfaError;
    this.errnoCause = detail.cause;
    this.status = detail.status;
    this.reason = detail.reason;
  }
}

/** LFA_VERSION answered NOT_SUPPORTED: the driver does not bind (probe → -ENODEV). */
export class NoLfaAgentError extends LinuxError {
  constructor(message = "no firmware agent found") {
    super("ENODEV", message);
    this.name = "NoLfaAgentError";
    this.message = message;
  }
}

/** The name of a negative errno value ("EINVAL" for -22), or undefined. */
export function errnoName(code: number): Errno | undefined {
  const v = Math.abs(code);
  return (Object.keys(ERRNO) as Errno[]).find((k) => ERRNO[k] === v);
}
