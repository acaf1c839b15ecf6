// The board's virtual time (milliseconds). Nothing on the board sleeps for real: the host
// driver's budgets (LFA PRIME 30 s, ACTIVATE 10 s, 10 ms polling) and the fw_upload worker are
// counted here, so a 30-second timeout takes microseconds and replays exactly.

export class VirtualClock {
  private t = 0;

  /** Virtual milliseconds since the board reset. */
  now(): number {
    return this.t;
  }

  /** Advances virtual time by `ms` (>= 0); returns the new time. */
  sleep(ms: number): number {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`sleep(${ms}): expected a finite duration >= 0 ms`);
    this.t += ms;
    return this.t;
  }
}
