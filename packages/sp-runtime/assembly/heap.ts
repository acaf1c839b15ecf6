// The runtime's high-water mark of the working window, exported as the global __heap_top
// (@lfa-wasm/abi SP_EXPORT_HEAP_TOP): at a live activation the SPMC zeroes the window only below
// it (and the window's last SP_WINDOW_TAIL_BYTES), instead of the whole window
// (docs/security.md#the-working-window-at-a-live-activation). A Wasm global, not linear memory:
// no stray store into the window can change it, only this code.
//
// What the image writes in its window: static data (below __heap_base) and the minimal runtime's
// TLSF heap, which starts at __heap_base and ends at the window's end (asc --lowMemoryLimit):
// blocks are cut from the front of its free block that reaches the end, so everything the heap
// has handed out lies below that block's header. Its layout (AssemblyScript 0.28's
// std/assembly/rt/tlsf.ts): a zero-size tail block's header (mmInfo, with LEFTFREE when the block
// before it is free) in the last word of its memory, that free block's address in the word
// before, its header (mmInfo, prev, next) at that address.
import { ROOT } from "rt/tlsf";

const WORD: usize = sizeof<usize>();
/** TLSF's LEFTFREE bit of a block's mmInfo. */
const LEFTFREE: usize = 1 << 1;
/** A free block's header: mmInfo, prev, next. */
const FREE_HEADER: usize = 3 * WORD;

/** The high-water mark (0 before the first sample). */
export let spHeapTop: usize = 0;

/** Raises spHeapTop to what the heap covers now; `windowEnd` is the heap's end (the window's). Call at the end of every entry. */
export function spHeapSample(windowEnd: usize): void {
  let top: usize;
  if (changetype<usize>(ROOT) == 0) {
    top = __heap_base; // nothing allocated yet: static data only
  } else {
    const tail = windowEnd - WORD;
    top = (load<usize>(tail) & LEFTFREE) != 0 ? load<usize>(tail - WORD) + FREE_HEADER : windowEnd;
  }
  if (top > spHeapTop) spHeapTop = top;
}
