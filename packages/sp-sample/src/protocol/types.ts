// Typed literals shared by TypeScript and AssemblyScript.
//
// (Copy of packages/abi/src/types.ts: that package does not export its width markers.)
// Every constant of the sample protocol is written once, in src/protocol/*.ts, as
//   export const NAME = T(literal);
// where T is one of the width markers below. In TypeScript the marker is an identity function
// (64-bit values are bigint, everything else number). packages/abi/scripts/gen-assembly.mjs rewrites each
// such line into AssemblyScript's `export const NAME: T = literal;`, so both worlds read the same table.

export const u8 = (v: number): number => v;
export const u16 = (v: number): number => v;
export const u32 = (v: number): number => v;
export const i32 = (v: number): number => v;
export const u64 = (v: bigint): bigint => v;
export const i64 = (v: bigint): bigint => v;
