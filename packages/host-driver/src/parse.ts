// The kernel's string parsers that the sysfs stores use (lib/kstrtox.c, lib/vsprintf.c).

/**
 * kstrtobool(): the first character decides — y/Y/t/T/1 true, n/N/f/F/0 false, o/O followed by
 * n/N ("on") true or f/F ("off") false; anything else (including "") is -EINVAL (null here).
 */
export function kstrtobool(s: string): boolean | null {
  const c = s[0];
  switch (c) {
    case "y": case "Y": case "t": case "T": case "1":
      return true;
    case "n": case "N": case "f": case "F": case "0":
      return false;
    case "o": case "O":
      switch (s[1]) {
        case "n": case "N":
          return true;
        case "f": case "F":
          return false;
        default:
          return null;
      }
    default:
      return null;
  }
}

/**
 * simple_strtol(s, NULL, 10): an optional '-', then decimal digits up to the first non-digit;
 * no digits at all gives 0 (so "abc" reads as 0, "1\n" as 1, " 1" as 0).
 */
export function simpleStrtol(s: string): number {
  let i = 0;
  let neg = false;
  if (s[0] === "-") {
    neg = true;
    i = 1;
  } else if (s[0] === "+") {
    i = 1;
  }
  let v = 0;
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}
