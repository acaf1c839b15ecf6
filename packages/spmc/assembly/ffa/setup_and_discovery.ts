// FF-A setup and discovery ABIs (Hafnium src/ffa/spmc/setup_and_discovery.c, src/api.c),
// spec shared/spec/ffa-hafnium-live-activation.md §1.1.
import {
  FFA_VERSION_COMPILED, FFA_VERSION_MBZ_BIT, FFA_VERSION_MAJOR_SHIFT, FFA_VERSION_MAJOR_MASK,
  FFA_VERSION_MINOR_MASK, FFA_NOT_SUPPORTED,
} from "@lfa-wasm/abi/assembly";

@inline function major(v: u32): u32 { return (v >> FFA_VERSION_MAJOR_SHIFT) & FFA_VERSION_MAJOR_MASK; }
@inline function minor(v: u32): u32 { return v & FFA_VERSION_MINOR_MASK; }

/** Compatible: majors equal and the caller's minor ≤ the callee's minor (Hafnium ffa.h:76-81). */
export function ffa_versions_are_compatible(requested: u32, ours: u32): bool {
  return major(requested) == major(ours) && minor(requested) <= minor(ours);
}

/** Per-endpoint FF-A version state (kept in struct vm in Hafnium; survives live activation). */
export class FfaVersionState {
  version: u32 = FFA_VERSION_COMPILED;
  negotiated: bool = false;
}

/**
 * FFA_VERSION: x0 = FFA_VERSION_COMPILED on success, or 0xFFFFFFFF (NOT_SUPPORTED as a plain
 * value, not an FFA_ERROR frame) when bit 31 is set, the request is incompatible, or the
 * endpoint already made another FF-A call (version negotiated) and asks for a different version.
 */
export function api_ffa_version(state: FfaVersionState, requested: u32): u32 {
  const not_supported = <u32>FFA_NOT_SUPPORTED;
  if ((requested & FFA_VERSION_MBZ_BIT) != 0) return not_supported;
  if (!ffa_versions_are_compatible(requested, FFA_VERSION_COMPILED)) return not_supported;
  if (state.negotiated && requested != state.version) return not_supported;
  state.version = requested;
  return FFA_VERSION_COMPILED;
}

/** Any FF-A call other than FFA_VERSION fixes the endpoint's version (handler.c:659-664). */
export function ffa_version_mark_negotiated(state: FfaVersionState): void {
  state.negotiated = true;
}
