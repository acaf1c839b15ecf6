// DTS lexer. DTS tokenisation depends on context (a `1` is a node name in a node body but a
// number inside `< >`), so the parser asks for the next token in a given mode, like dtc's
// flex start conditions.
import { DtsError } from "./types.js";

export type LexMode =
  /** Top level and node bodies: names, labels, references, directives, punctuation. */
  | "body"
  /** Inside `< >`: numbers, character literals, references, labels. */
  | "cells"
  /** Inside `( )` in a cell list: integer expressions. */
  | "expr"
  /** Inside `[ ]`: hex byte pairs and labels. */
  | "bytes";

export type TokenKind =
  | "eof"
  | "punct" // text is the operator or punctuation
  | "directive" // text is e.g. "/dts-v1/"
  | "label" // text is the label name (without the colon)
  | "ref" // text is the label name or the path (without & and braces)
  | "string" // bytes holds the unescaped value (without NUL)
  | "number" // value holds the literal
  | "name" // text is the node or property name (leading backslash removed)
  | "byte"; // value holds the byte

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offsets in the source: [start, end). */
  start: number;
  end: number;
  value?: bigint;
  bytes?: Uint8Array;
}

const DIRECTIVES = [
  "/dts-v1/",
  "/plugin/",
  "/memreserve/",
  "/bits/",
  "/delete-property/",
  "/delete-node/",
  "/omit-if-no-ref/",
  "/include/",
  "/incbin/",
];

const U64_MAX = (1n << 64n) - 1n;

const isDigit = (c: string) => c >= "0" && c <= "9";
const isHex = (c: string) => /^[0-9a-fA-F]$/.test(c);
const isLabelStart = (c: string) => /^[a-zA-Z_]$/.test(c);
const isLabelChar = (c: string) => /^[a-zA-Z0-9_]$/.test(c);
/** dtc's PROPNODECHAR: the characters a node or property name token may contain. */
export const isNameChar = (c: string) => /^[a-zA-Z0-9,._+*#?@-]$/.test(c);
const isPathChar = (c: string) => c === "/" || isNameChar(c);

const EXPR_OPERATORS = ["<<", ">>", "<=", ">=", "==", "!=", "&&", "||"];

export class Lexer {
  readonly source: string;
  readonly file: string;
  private pos = 0;
  /** End offset of the last consumed token (for "expected ';'" errors). */
  lastEnd = 0;
  private readonly lineStarts: number[] = [0];

  constructor(source: string, file: string) {
    this.source = source;
    this.file = file;
    for (let i = 0; i < source.length; i++) if (source[i] === "\n") this.lineStarts.push(i + 1);
  }

  /** 1-based line and column of a source offset. */
  lineCol(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  error(offset: number, reason: string): DtsError {
    const { line, column } = this.lineCol(offset);
    return new DtsError(this.file, line, column, reason);
  }

  /** Human-readable description of a token for error messages. */
  describe(t: Token): string {
    switch (t.kind) {
      case "eof":
        return "end of input";
      case "string":
        return "a string";
      case "label":
        return `label '${t.text}:'`;
      case "ref":
        return `reference '&${t.text}'`;
      default:
        return `'${this.source.slice(t.start, t.end)}'`;
    }
  }

  peek(mode: LexMode): Token {
    const save = this.pos;
    const t = this.scan(mode);
    this.pos = save;
    return t;
  }

  next(mode: LexMode): Token {
    const t = this.scan(mode);
    this.lastEnd = t.end;
    return t;
  }

  private skipTrivia(): void {
    const s = this.source;
    for (;;) {
      const c = s[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v") {
        this.pos++;
      } else if (c === "/" && s[this.pos + 1] === "*") {
        const end = s.indexOf("*/", this.pos + 2);
        if (end < 0) throw this.error(this.pos, "unterminated comment");
        this.pos = end + 2;
      } else if (c === "/" && s[this.pos + 1] === "/") {
        const end = s.indexOf("\n", this.pos);
        this.pos = end < 0 ? s.length : end + 1;
      } else {
        return;
      }
    }
  }

  private scan(mode: LexMode): Token {
    this.skipTrivia();
    const s = this.source;
    const start = this.pos;
    const tok = (kind: TokenKind, end: number, text = s.slice(start, end), extra: Partial<Token> = {}): Token => {
      this.pos = end;
      return { kind, text, start, end, ...extra };
    };
    if (start >= s.length) return tok("eof", start, "");
    const c = s[start]!;

    // Comments were skipped; directives are recognised everywhere except inside expressions.
    if (c === "/" && mode !== "expr") {
      for (const d of DIRECTIVES) if (s.startsWith(d, start)) return tok("directive", start + d.length);
    }
    if (c === '"') return this.scanString(start);
    if (c === "'") return this.scanChar(start);
    if (c === "&") {
      if (s[start + 1] === "{") {
        let i = start + 2;
        while (i < s.length && isPathChar(s[i]!)) i++;
        if (s[i] !== "}") throw this.error(start, "unterminated path reference '&{'");
        return tok("ref", i + 1, s.slice(start + 2, i));
      }
      if (mode === "expr" && s[start + 1] === "&") return tok("punct", start + 2);
      if (start + 1 < s.length && isLabelStart(s[start + 1]!)) {
        let i = start + 2;
        while (i < s.length && isLabelChar(s[i]!)) i++;
        return tok("ref", i, s.slice(start + 1, i));
      }
      return tok("punct", start + 1);
    }
    // Labels: an identifier immediately followed by ':' (longest match wins over names).
    if (mode !== "expr" && isLabelStart(c)) {
      let i = start + 1;
      while (i < s.length && isLabelChar(s[i]!)) i++;
      if (s[i] === ":") {
        return tok("label", i + 1, s.slice(start, i));
      }
    }
    if (mode === "body") {
      let i = start;
      if (c === "\\") i++;
      const nameStart = i;
      while (i < s.length && isNameChar(s[i]!)) i++;
      if (i > nameStart) return tok("name", i, s.slice(nameStart, i));
      return tok("punct", start + 1);
    }
    if (mode === "bytes") {
      if (isHex(c)) {
        if (start + 1 < s.length && isHex(s[start + 1]!)) {
          return tok("byte", start + 2, undefined, { value: BigInt(parseInt(s.slice(start, start + 2), 16)) });
        }
        throw this.error(start, "byte string has an odd number of hex digits");
      }
      return tok("punct", start + 1);
    }
    // cells and expr
    if (isDigit(c)) {
      let i = start;
      while (i < s.length && /^[0-9a-zA-Z_]$/.test(s[i]!)) i++;
      const text = s.slice(start, i);
      const m = /^([0-9]+|0[xX][0-9a-fA-F]+)(U|L|UL|LL|ULL)?$/.exec(text);
      if (!m) throw this.error(start, `invalid integer literal '${text}'`);
      const digits = m[1]!;
      let value: bigint;
      if (/^0[xX]/.test(digits)) value = BigInt(digits);
      else if (digits.length > 1 && digits[0] === "0") {
        if (!/^[0-7]+$/.test(digits)) throw this.error(start, `invalid octal literal '${text}'`);
        value = BigInt("0o" + digits.slice(1));
      } else value = BigInt(digits);
      if (value > U64_MAX) throw this.error(start, `integer literal '${text}' is too large`);
      return tok("number", i, text, { value });
    }
    if (mode === "expr") {
      for (const op of EXPR_OPERATORS) if (s.startsWith(op, start)) return tok("punct", start + 2);
    }
    return tok("punct", start + 1);
  }

  /** Reads one escape sequence starting after the backslash at s[i]; returns [byte, next index]. */
  private escape(i: number, backslashAt: number): [number, number] {
    const s = this.source;
    const c = s[i];
    if (c === undefined) throw this.error(backslashAt, "unterminated escape sequence");
    const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13 };
    if (c in simple) return [simple[c]!, i + 1];
    if (c >= "0" && c <= "7") {
      let j = i;
      while (j < i + 3 && s[j] !== undefined && s[j]! >= "0" && s[j]! <= "7") j++;
      return [parseInt(s.slice(i, j), 8) & 0xff, j];
    }
    if (c === "x") {
      let j = i + 1;
      while (j < i + 3 && s[j] !== undefined && isHex(s[j]!)) j++;
      if (j === i + 1) throw this.error(backslashAt, "'\\x' escape without hex digits");
      return [parseInt(s.slice(i + 1, j), 16), j];
    }
    // Any other escaped character stands for itself (dtc's behaviour); it may be non-ASCII.
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const enc = new TextEncoder().encode(ch);
    if (enc.length !== 1) throw this.error(backslashAt, "escaped non-ASCII character");
    return [enc[0]!, i + ch.length];
  }

  private scanString(start: number): Token {
    const s = this.source;
    const out: number[] = [];
    const enc = new TextEncoder();
    let i = start + 1;
    let runStart = i;
    const flush = (end: number) => {
      if (end > runStart) out.push(...enc.encode(s.slice(runStart, end)));
    };
    for (;;) {
      if (i >= s.length) throw this.error(start, "unterminated string");
      const c = s[i]!;
      if (c === '"') {
        flush(i);
        break;
      }
      if (c === "\\") {
        flush(i);
        const [b, next] = this.escape(i + 1, i);
        out.push(b);
        i = next;
        runStart = i;
        continue;
      }
      i++;
    }
    this.pos = i + 1;
    return { kind: "string", text: s.slice(start, i + 1), start, end: i + 1, bytes: Uint8Array.from(out) };
  }

  private scanChar(start: number): Token {
    const s = this.source;
    let i = start + 1;
    const out: number[] = [];
    for (;;) {
      if (i >= s.length || s[i] === "\n") throw this.error(start, "unterminated character literal");
      const c = s[i]!;
      if (c === "'") break;
      if (c === "\\") {
        const [b, next] = this.escape(i + 1, i);
        out.push(b);
        i = next;
      } else {
        const cp = s.codePointAt(i)!;
        const ch = String.fromCodePoint(cp);
        out.push(...new TextEncoder().encode(ch));
        i += ch.length;
      }
    }
    if (out.length !== 1) {
      throw this.error(start, `character literal has ${out.length} characters instead of 1`);
    }
    this.pos = i + 1;
    return { kind: "number", text: s.slice(start, i + 1), start, end: i + 1, value: BigInt(out[0]!) };
  }
}
