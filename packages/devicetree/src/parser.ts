// DTS parser: source text → live tree (with labels, deleted markers and unresolved references)
// → the same fix-ups dtc applies (name properties, phandles, path references) → DtNode.
// The grammar follows dtc's dtc-parser.y for the supported subset.
import { Lexer, type LexMode, type Token } from "./lexer.js";
import type { DeviceTree, DtNode, MemReserve } from "./types.js";

interface Label {
  name: string;
  deleted: boolean;
  at: number;
}

interface Marker {
  kind: "phandle" | "path";
  /** Byte offset in the property value. */
  offset: number;
  /** Label name, "label/sub/path" or "/absolute/path". */
  ref: string;
  at: number;
}

interface LProp {
  name: string;
  data: number[];
  markers: Marker[];
  labels: Label[];
  /** Labels inside the value (`< lbl: 1 >`): only checked for duplicates. */
  valueLabels: Label[];
  deleted: boolean;
  at: number;
}

interface LNode {
  name: string;
  props: LProp[];
  children: LNode[];
  labels: Label[];
  deleted: boolean;
  at: number;
  parent: LNode | null;
  phandle: number;
}

const U64_MASK = (1n << 64n) - 1n;
const NODE_NAME_RE = /^[a-zA-Z0-9,._+@-]+$/;
const PROP_NAME_RE = /^[a-zA-Z0-9,._+*#?-]+$/;

function newNode(name: string, at: number): LNode {
  return { name, props: [], children: [], labels: [], deleted: false, at, parent: null, phandle: 0 };
}

function addLabel(labels: Label[], l: Label): void {
  const old = labels.find((x) => x.name === l.name);
  if (old) old.deleted = false;
  else labels.push({ ...l });
}

function liveChildren(n: LNode): LNode[] {
  return n.children.filter((c) => !c.deleted);
}
function liveProps(n: LNode): LProp[] {
  return n.props.filter((p) => !p.deleted);
}

function fullPath(n: LNode): string {
  if (!n.parent) return "/";
  const parentPath = fullPath(n.parent);
  return parentPath === "/" ? `/${n.name}` : `${parentPath}/${n.name}`;
}

/** dtc's delete_node: marks the node, its properties, children and labels deleted. */
function deleteNode(n: LNode): void {
  n.deleted = true;
  for (const c of liveChildren(n)) deleteNode(c);
  for (const p of liveProps(n)) p.deleted = true;
  for (const l of n.labels) l.deleted = true;
}

/** dtc's merge_nodes: `add` (a freshly parsed body) is folded into `old`. */
function mergeNodes(old: LNode, add: LNode): void {
  old.deleted = false;
  for (const l of add.labels) addLabel(old.labels, l);
  for (const np of add.props) {
    if (np.deleted) {
      // dtc's delete_property_by_name: the first property of that name, deleted or not.
      const op = old.props.find((p) => p.name === np.name);
      if (op) op.deleted = true;
      continue;
    }
    // The search includes deleted properties: a re-added property takes its old place.
    const op = old.props.find((p) => p.name === np.name);
    if (op) {
      for (const l of np.labels) addLabel(op.labels, l);
      op.data = np.data;
      op.markers = np.markers;
      op.valueLabels = np.valueLabels;
      op.deleted = false;
    } else {
      old.props.push(np);
    }
  }
  for (const nc of add.children) {
    if (nc.deleted) {
      const oc = old.children.find((c) => c.name === nc.name);
      if (oc) deleteNode(oc);
      continue;
    }
    const oc = old.children.find((c) => c.name === nc.name);
    if (oc) mergeNodes(oc, nc);
    else {
      nc.parent = old;
      old.children.push(nc);
    }
  }
}

function nodeByLabel(root: LNode, label: string): LNode | undefined {
  if (root.deleted) return undefined;
  if (root.labels.some((l) => l.name === label && !l.deleted)) return root;
  for (const c of liveChildren(root)) {
    const r = nodeByLabel(c, label);
    if (r) return r;
  }
  return undefined;
}

function nodeByPath(from: LNode, path: string): LNode | undefined {
  let node: LNode | undefined = from;
  for (const part of path.split("/")) {
    if (part === "") continue;
    node = liveChildren(node).find((c) => c.name === part);
    if (!node) return undefined;
  }
  return node.deleted ? undefined : node;
}

/** dtc's get_node_by_ref: "/" and "/a/b" are paths, "lbl" and "lbl/a/b" start at a label. */
function nodeByRef(root: LNode, ref: string): LNode | undefined {
  if (ref.startsWith("/")) return nodeByPath(root, ref);
  const slash = ref.indexOf("/");
  const label = slash < 0 ? ref : ref.slice(0, slash);
  const target = nodeByLabel(root, label);
  if (!target || slash < 0) return target;
  return nodeByPath(target, ref.slice(slash + 1));
}

function* walk(n: LNode): Generator<LNode> {
  yield n;
  for (const c of liveChildren(n)) yield* walk(c);
}

function pushInt(data: number[], v: bigint, bits: number): void {
  for (let shift = bits - 8; shift >= 0; shift -= 8) data.push(Number((v >> BigInt(shift)) & 0xffn));
}

/** Nesting limit for nodes and parenthesised expressions (keeps the JS stack safe). */
const MAX_DEPTH = 256;

class Parser {
  private readonly lx: Lexer;
  private depth = 0;

  constructor(source: string, file: string) {
    this.lx = new Lexer(source, file);
  }

  private err(at: number, reason: string): Error {
    return this.lx.error(at, reason);
  }

  private unexpected(t: Token, expected: string): Error {
    return this.err(t.start, `expected ${expected}, found ${this.lx.describe(t)}`);
  }

  private isPunct(t: Token, p: string): boolean {
    return t.kind === "punct" && t.text === p;
  }

  /** Consumes a required ';' (the error points just after the previous token). */
  private expectSemicolon(what: string): void {
    const t = this.lx.peek("body");
    if (!this.isPunct(t, ";")) {
      throw this.err(this.lx.lastEnd, `expected ';' after ${what}`);
    }
    this.lx.next("body");
  }

  private expectPunct(p: string, mode: LexMode, expected = `'${p}'`): Token {
    const t = this.lx.next(mode);
    if (!this.isPunct(t, p)) throw this.unexpected(t, expected);
    return t;
  }

  parseFile(): { root: LNode; memreserve: MemReserve[] } {
    const lx = this.lx;
    let t = lx.peek("body");
    if (!(t.kind === "directive" && t.text === "/dts-v1/")) {
      throw this.err(t.start, "missing '/dts-v1/;' at the start of the file (DTS version 0 is not supported)");
    }
    while (t.kind === "directive" && (t.text === "/dts-v1/" || t.text === "/plugin/")) {
      lx.next("body");
      if (t.text === "/plugin/") throw this.err(t.start, "/plugin/ (overlays) is not supported");
      this.expectSemicolon(t.text);
      t = lx.peek("body");
    }

    const memreserve: MemReserve[] = [];
    for (;;) {
      t = lx.peek("body");
      const save: Token[] = [];
      while (t.kind === "label") {
        save.push(lx.next("body"));
        t = lx.peek("body");
      }
      if (t.kind === "directive" && t.text === "/memreserve/") {
        lx.next("body");
        const address = this.parseIntegerPrim();
        const size = this.parseIntegerPrim();
        this.expectSemicolon("/memreserve/ entry");
        memreserve.push({ address, size });
        continue;
      }
      if (save.length > 0) throw this.unexpected(t, "'/memreserve/' after the label");
      break;
    }

    t = lx.next("body");
    if (!this.isPunct(t, "/")) {
      if (t.kind === "eof") throw this.err(t.start, "missing root node '/ { ... };'");
      throw this.unexpected(t, "the root node '/ {'");
    }
    const root = this.parseNodeBody("", t.start);

    for (;;) {
      t = lx.peek("body");
      if (t.kind === "eof") break;
      if (this.isPunct(t, "/")) {
        lx.next("body");
        mergeNodes(root, this.parseNodeBody("", t.start));
        continue;
      }
      if (t.kind === "directive" && t.text === "/delete-node/") {
        lx.next("body");
        const r = lx.next("body");
        if (r.kind !== "ref") throw this.unexpected(r, "a '&label' or '&{/path}' reference after /delete-node/");
        const target = nodeByRef(root, r.text);
        if (!target) throw this.err(r.start, `label or path '${r.text}' not found`);
        if (target === root) throw this.err(r.start, "cannot delete the root node");
        deleteNode(target);
        this.expectSemicolon("/delete-node/ reference");
        continue;
      }
      const labels: Label[] = [];
      while (t.kind === "label") {
        lx.next("body");
        labels.push({ name: t.text, deleted: false, at: t.start });
        t = lx.peek("body");
      }
      if (t.kind === "ref") {
        lx.next("body");
        const target = nodeByRef(root, t.text);
        if (!target) throw this.err(t.start, `label or path '${t.text}' not found`);
        const open = lx.peek("body");
        if (!this.isPunct(open, "{")) throw this.unexpected(open, `'{' after '&${t.text}'`);
        const body = this.parseNodeBody(target.name, t.start);
        for (const l of labels) addLabel(target.labels, l);
        mergeNodes(target, body);
        continue;
      }
      if (t.kind === "directive" && t.text === "/omit-if-no-ref/") {
        throw this.err(t.start, "/omit-if-no-ref/ is not supported");
      }
      throw this.err(
        t.start,
        `unexpected ${lx.describe(t)} after the root node (expected '/ {', '&label {' or '/delete-node/')`,
      );
    }
    return { root, memreserve };
  }

  /** Parses `{ props subnodes };` (the opening brace is the next token). */
  private parseNodeBody(name: string, at: number): LNode {
    const lx = this.lx;
    const open = lx.next("body");
    if (!this.isPunct(open, "{")) throw this.unexpected(open, "'{'");
    if (++this.depth > MAX_DEPTH) throw this.err(open.start, `nodes nested deeper than ${MAX_DEPTH} levels`);
    const node = newNode(name, at);
    let sawChild = false;
    for (;;) {
      let t = lx.peek("body");
      if (this.isPunct(t, "}")) {
        lx.next("body");
        const semi = lx.peek("body");
        if (!this.isPunct(semi, ";")) {
          throw this.err(lx.lastEnd, `expected ';' after '}' of node '${name || "/"}'`);
        }
        lx.next("body");
        this.depth--;
        return node;
      }
      if (t.kind === "eof") {
        throw this.err(open.start, `unterminated node '${name || "/"}' (missing '};')`);
      }
      const labels: Label[] = [];
      while (t.kind === "label") {
        lx.next("body");
        labels.push({ name: t.text, deleted: false, at: t.start });
        t = lx.peek("body");
      }
      if (t.kind === "directive" && (t.text === "/delete-property/" || t.text === "/delete-node/")) {
        lx.next("body");
        const n = lx.next("body");
        const isNode = t.text === "/delete-node/";
        if (n.kind !== "name") throw this.unexpected(n, `a ${isNode ? "node" : "property"} name after ${t.text}`);
        this.expectSemicolon(`${t.text} ${n.text}`);
        if (isNode) {
          const child = newNode(n.text, n.start);
          child.deleted = true;
          child.parent = node;
          node.children.push(child);
          sawChild = true;
        } else {
          if (sawChild) throw this.err(t.start, "properties must precede subnodes");
          node.props.push({ name: n.text, data: [], markers: [], labels: [], valueLabels: [], deleted: true, at: n.start });
        }
        continue;
      }
      if (t.kind === "directive" && t.text === "/omit-if-no-ref/") {
        throw this.err(t.start, "/omit-if-no-ref/ is not supported");
      }
      if (t.kind !== "name") {
        if (t.kind === "eof") throw this.err(open.start, `unterminated node '${name || "/"}' (missing '};')`);
        throw this.unexpected(t, "a property or node name");
      }
      lx.next("body");
      const after = lx.peek("body");
      if (this.isPunct(after, "{")) {
        if (!NODE_NAME_RE.test(t.text)) throw this.err(t.start, `bad character in node name '${t.text}'`);
        if (t.text.indexOf("@") !== t.text.lastIndexOf("@")) {
          throw this.err(t.start, `multiple '@' in node name '${t.text}'`);
        }
        if (t.text.startsWith("@")) throw this.err(t.start, `node name '${t.text}' has an empty base name`);
        const child = this.parseNodeBody(t.text, t.start);
        for (const l of labels) addLabel(child.labels, l);
        child.parent = node;
        node.children.push(child);
        sawChild = true;
        continue;
      }
      if (this.isPunct(after, "=") || this.isPunct(after, ";")) {
        if (sawChild) throw this.err(t.start, "properties must precede subnodes");
        if (!PROP_NAME_RE.test(t.text)) throw this.err(t.start, `bad character in property name '${t.text}'`);
        const prop: LProp = { name: t.text, data: [], markers: [], labels, valueLabels: [], deleted: false, at: t.start };
        if (this.isPunct(after, "=")) {
          lx.next("body");
          this.parsePropData(prop);
        }
        this.expectSemicolon(`property '${t.text}'`);
        node.props.push(prop);
        continue;
      }
      throw this.err(lx.lastEnd, `expected '=', ';' or '{' after '${t.text}', found ${lx.describe(after)}`);
    }
  }

  private parsePropData(prop: LProp): void {
    const lx = this.lx;
    const takeLabels = () => {
      for (let t = lx.peek("cells"); t.kind === "label"; t = lx.peek("cells")) {
        lx.next("cells");
        prop.valueLabels.push({ name: t.text, deleted: false, at: t.start });
      }
    };
    for (;;) {
      takeLabels();
      const t = lx.next("cells");
      if (t.kind === "string") {
        prop.data.push(...t.bytes!, 0);
      } else if (this.isPunct(t, "<")) {
        this.parseCells(prop, 32, t.start);
      } else if (t.kind === "directive" && t.text === "/bits/") {
        const n = lx.next("cells");
        if (n.kind !== "number" || !n.text.match(/^[0-9]/)) throw this.unexpected(n, "an element size after /bits/");
        const bits = Number(n.value);
        if (![8, 16, 32, 64].includes(bits)) throw this.err(n.start, "array elements must be 8, 16, 32 or 64 bits");
        const lt = this.expectPunct("<", "cells", `'<' after /bits/ ${bits}`);
        this.parseCells(prop, bits, lt.start);
      } else if (this.isPunct(t, "[")) {
        this.parseBytes(prop, t.start);
      } else if (t.kind === "ref") {
        prop.markers.push({ kind: "path", offset: prop.data.length, ref: t.text, at: t.start });
      } else if (t.kind === "directive" && t.text === "/incbin/") {
        throw this.err(t.start, "/incbin/ is not supported");
      } else {
        throw this.unexpected(t, "a property value (string, <cells>, [bytes] or &reference)");
      }
      takeLabels();
      const sep = lx.peek("cells");
      if (!this.isPunct(sep, ",")) return;
      lx.next("cells");
    }
  }

  private parseCells(prop: LProp, bits: number, openAt: number): void {
    const lx = this.lx;
    const mask = (1n << BigInt(bits)) - 1n;
    for (;;) {
      const t = lx.peek("cells");
      if (t.kind === "eof") throw this.err(openAt, "unterminated cell list (missing '>')");
      if (this.isPunct(t, ">")) {
        lx.next("cells");
        return;
      }
      if (t.kind === "label") {
        lx.next("cells");
        prop.valueLabels.push({ name: t.text, deleted: false, at: t.start });
        continue;
      }
      if (t.kind === "ref") {
        lx.next("cells");
        if (bits !== 32) throw this.err(t.start, "references are only allowed in arrays with 32-bit elements");
        prop.markers.push({ kind: "phandle", offset: prop.data.length, ref: t.text, at: t.start });
        pushInt(prop.data, 0xffffffffn, 32);
        continue;
      }
      if (t.kind === "number" || this.isPunct(t, "(")) {
        const v = this.parseIntegerPrim();
        if (bits < 64 && v > mask && (v | mask) !== U64_MASK) {
          throw this.err(t.start, `value out of range for ${bits}-bit array element`);
        }
        pushInt(prop.data, v & mask, bits);
        continue;
      }
      throw this.err(t.start, `bad cell value: unexpected ${lx.describe(t)} (expected a number, '(expr)', '&label' or '>')`);
    }
  }

  private parseBytes(prop: LProp, openAt: number): void {
    const lx = this.lx;
    for (;;) {
      const t = lx.next("bytes");
      if (t.kind === "eof") throw this.err(openAt, "unterminated byte string (missing ']')");
      if (this.isPunct(t, "]")) return;
      if (t.kind === "byte") prop.data.push(Number(t.value));
      else if (t.kind === "label") prop.valueLabels.push({ name: t.text, deleted: false, at: t.start });
      else throw this.err(t.start, `bad byte string: unexpected ${lx.describe(t)} (expected hex byte pairs or ']')`);
    }
  }

  // ---- integer expressions (dtc's integer_prim / integer_expr, 64-bit unsigned) ----

  private parseIntegerPrim(): bigint {
    const lx = this.lx;
    const t = lx.next("cells");
    if (t.kind === "number") return t.value!;
    if (this.isPunct(t, "(")) {
      const v = this.parseTernary();
      this.expectPunct(")", "expr", "')' to close the expression");
      return v;
    }
    throw this.unexpected(t, "an integer");
  }

  private parseTernary(): bigint {
    if (++this.depth > MAX_DEPTH) throw this.err(this.lx.peek("expr").start, `expression nested deeper than ${MAX_DEPTH} levels`);
    try {
      return this.parseTernaryInner();
    } finally {
      this.depth--;
    }
  }

  private parseTernaryInner(): bigint {
    const cond = this.parseBinary(0);
    const t = this.lx.peek("expr");
    if (!this.isPunct(t, "?")) return cond;
    this.lx.next("expr");
    const a = this.parseTernary();
    this.expectPunct(":", "expr", "':' in the conditional expression");
    const b = this.parseTernary();
    return cond !== 0n ? a : b;
  }

  private static readonly LEVELS: string[][] = [
    ["||"],
    ["&&"],
    ["|"],
    ["^"],
    ["&"],
    ["==", "!="],
    ["<", ">", "<=", ">="],
    ["<<", ">>"],
    ["+", "-"],
    ["*", "/", "%"],
  ];

  private parseBinary(level: number): bigint {
    if (level >= Parser.LEVELS.length) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    for (;;) {
      const t = this.lx.peek("expr");
      if (t.kind !== "punct" || !Parser.LEVELS[level]!.includes(t.text)) return left;
      this.lx.next("expr");
      const right = this.parseBinary(level + 1);
      left = this.apply(t, left, right);
    }
  }

  private apply(t: Token, a: bigint, b: bigint): bigint {
    const bool = (x: boolean) => (x ? 1n : 0n);
    switch (t.text) {
      case "||": return bool(a !== 0n || b !== 0n);
      case "&&": return bool(a !== 0n && b !== 0n);
      case "|": return a | b;
      case "^": return a ^ b;
      case "&": return a & b;
      case "==": return bool(a === b);
      case "!=": return bool(a !== b);
      case "<": return bool(a < b);
      case ">": return bool(a > b);
      case "<=": return bool(a <= b);
      case ">=": return bool(a >= b);
      case "<<": return b < 64n ? (a << b) & U64_MASK : 0n;
      case ">>": return b < 64n ? a >> b : 0n;
      case "+": return (a + b) & U64_MASK;
      case "-": return (a - b) & U64_MASK;
      case "*": return (a * b) & U64_MASK;
      case "/":
      case "%":
        if (b === 0n) throw this.err(t.start, "division by zero");
        return t.text === "/" ? a / b : a % b;
      default:
        throw this.err(t.start, `unknown operator '${t.text}'`);
    }
  }

  private parseUnary(): bigint {
    let t = this.lx.peek("expr");
    const ops: Token[] = [];
    while (this.isPunct(t, "-") || this.isPunct(t, "~") || this.isPunct(t, "!")) {
      ops.push(this.lx.next("expr"));
      t = this.lx.peek("expr");
    }
    let v = this.parsePrimary();
    for (let i = ops.length - 1; i >= 0; i--) v = this.unary(ops[i]!, v);
    return v;
  }

  private unary(t: Token, v: bigint): bigint {
    if (t.text === "-") return -v & U64_MASK;
    if (t.text === "~") return ~v & U64_MASK;
    return v === 0n ? 1n : 0n; // '!'
  }

  private parsePrimary(): bigint {
    const p = this.lx.next("expr");
    if (p.kind === "number") return p.value!;
    if (this.isPunct(p, "(")) {
      const v = this.parseTernary();
      this.expectPunct(")", "expr", "')' to close the expression");
      return v;
    }
    throw this.unexpected(p, "an integer in the expression");
  }

  // ---- semantic checks and fix-ups, in dtc's order ----

  resolve(root: LNode): void {
    this.checkLabels(root);
    for (const n of walk(root)) {
      const seenChild = new Map<string, LNode>();
      for (const c of liveChildren(n)) {
        if (seenChild.has(c.name)) throw this.err(c.at, `duplicate node name '${c.name}'`);
        seenChild.set(c.name, c);
      }
      const seenProp = new Set<string>();
      for (const p of liveProps(n)) {
        if (seenProp.has(p.name)) throw this.err(p.at, `duplicate property name '${p.name}'`);
        seenProp.add(p.name);
      }
    }
    // A "name" property equal to the node's base name is redundant and dropped (dtc check name_properties).
    for (const n of walk(root)) {
      const p = liveProps(n).find((x) => x.name === "name");
      if (!p) continue;
      const base = n.name.split("@")[0]!;
      const expect = [...new TextEncoder().encode(base), 0];
      if (p.data.length === expect.length && expect.every((b, i) => p.data[i] === b)) p.deleted = true;
      else throw this.err(p.at, `"name" property differs from the node's base name '${base}'`);
    }
    // Explicit phandles (dtc check explicit_phandles).
    const byPhandle = new Map<number, LNode>();
    for (const n of walk(root)) {
      for (const pname of ["phandle", "linux,phandle"]) {
        const p = liveProps(n).find((x) => x.name === pname);
        if (!p) continue;
        if (p.data.length !== 4) throw this.err(p.at, `'${pname}' property has a bad length (${p.data.length} bytes)`);
        const m = p.markers.find((x) => x.kind === "phandle");
        if (m) {
          if (nodeByRef(root, m.ref) !== n) throw this.err(p.at, `'${pname}' is a reference to another node`);
          continue; // self-reference: filled in by the phandle fix-up below
        }
        const v = ((p.data[0]! << 24) | (p.data[1]! << 16) | (p.data[2]! << 8) | p.data[3]!) >>> 0;
        if (v === 0 || v === 0xffffffff) throw this.err(p.at, `'${pname}' has the invalid value 0x${v.toString(16)}`);
        if (n.phandle !== 0 && n.phandle !== v) throw this.err(p.at, `'${pname}' disagrees with the node's other phandle`);
        const other = byPhandle.get(v);
        if (other && other !== n) throw this.err(p.at, `duplicate phandle 0x${v.toString(16)}`);
        byPhandle.set(v, n);
        n.phandle = v;
      }
    }
    // Phandle references (dtc fixup_phandle_references / get_node_phandle): pre-order, the counter
    // only moves forward and skips values in use; "phandle" is appended as the node's last property.
    let counter = 1;
    for (const n of walk(root)) {
      for (const p of liveProps(n)) {
        for (const m of p.markers) {
          if (m.kind !== "phandle") continue;
          const target = nodeByRef(root, m.ref);
          if (!target) throw this.err(m.at, `reference to non-existent node or label '${m.ref}'`);
          if (target.phandle === 0) {
            while (byPhandle.has(counter)) counter++;
            target.phandle = counter;
            byPhandle.set(counter, target);
            const cell: number[] = [];
            pushInt(cell, BigInt(counter), 32);
            if (!liveProps(target).some((x) => x.name === "phandle")) {
              target.props.push({ name: "phandle", data: cell, markers: [], labels: [], valueLabels: [], deleted: false, at: m.at });
            }
          }
          const v = target.phandle;
          p.data.splice(m.offset, 4, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
        }
      }
    }
    // Path references: the full path of the node, NUL-terminated, inserted at the marker.
    for (const n of walk(root)) {
      for (const p of liveProps(n)) {
        const paths = p.markers.filter((m) => m.kind === "path");
        for (let i = paths.length - 1; i >= 0; i--) {
          const m = paths[i]!;
          const target = nodeByRef(root, m.ref);
          if (!target) throw this.err(m.at, `reference to non-existent node or label '${m.ref}'`);
          p.data.splice(m.offset, 0, ...new TextEncoder().encode(fullPath(target)), 0);
        }
      }
    }
  }

  private checkLabels(root: LNode): void {
    const owner = new Map<string, { o: object; at: number }>();
    const claim = (l: Label, o: object) => {
      if (l.deleted) return;
      const prev = owner.get(l.name);
      if (prev && prev.o !== o) {
        const { line, column } = this.lx.lineCol(prev.at);
        throw this.err(l.at, `duplicate label '${l.name}' (also defined at ${line}:${column})`);
      }
      if (!prev) owner.set(l.name, { o, at: l.at });
    };
    for (const n of walk(root)) {
      for (const l of n.labels) claim(l, n);
      for (const p of liveProps(n)) {
        for (const l of p.labels) claim(l, p);
        for (const l of p.valueLabels) claim(l, { p, l });
      }
    }
  }
}

function toDtNode(n: LNode): DtNode {
  return {
    name: n.name,
    properties: liveProps(n).map((p) => ({ name: p.name, value: Uint8Array.from(p.data) })),
    children: liveChildren(n).map(toDtNode),
  };
}

/** Parses DTS source into a device tree with memory reservations (labels resolved, phandles assigned). */
export function parseDtsTree(source: string, filename = "<input>"): DeviceTree {
  const parser = new Parser(source, filename);
  const { root, memreserve } = parser.parseFile();
  parser.resolve(root);
  return { root: toDtNode(root), memreserve, bootCpuidPhys: 0 };
}

/** Parses DTS source into its root node (labels resolved, phandles assigned). */
export function parseDts(source: string, filename = "<input>"): DtNode {
  return parseDtsTree(source, filename).root;
}
