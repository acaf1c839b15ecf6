// The UEFI variable SP (Trusted Services smm-gateway contract, as U-Boot's efi_variable_tee.c
// speaks it): one source
// for every image (v1, v2, the edk2-semantics variant), built once per variant by src/build.ts.
// Each generated entry file calls efivar_configure() at instantiation with the image kind, the
// store semantics and the layout from the manifest, and re-exports entry() and regs().
//
// Doorbell: FFA_MSG_SEND_DIRECT_REQ_64 with x3 = offset into the static NS mm-comm-buffer →
// DIRECT_RESP_64 with x3 = MM return code (sign-extended), x4..x7 = 0. The message
// (EFI_MM_COMMUNICATE_HEADER + SMM_VARIABLE_COMMUNICATE_HEADER + payload) is handled in place.
// Everything that must outlive a live activation is outside the window: the variable stores
// (store.ts) and the live-state buffer.
import { FFA_FRAMEWORK_MSG_BIT } from "@lfa-wasm/abi/assembly";
import {
  directResp, liveStateBase, liveStateSize, onInit, onRequest, onStop, reg, spOwnId, spSetOwnId,
} from "@lfa-wasm/sp-runtime/assembly";
import {
  MM_RET_SUCCESS, MM_RET_NOT_SUPPORTED, MM_RET_INVALID_PARAMETER, MM_RET_DENIED, MM_RET_NO_MEMORY,
  MM_HDR_OFF_MESSAGE_LENGTH, MM_HDR_SIZE, SMM_VAR_OFF_FUNCTION, SMM_VAR_OFF_RETURN_STATUS, SMM_VAR_HDR_SIZE,
  SMM_VARIABLE_GUID_LO, SMM_VARIABLE_GUID_HI, EFIVAR_INFO_GUID_LO, EFIVAR_INFO_GUID_HI,
  SMM_VARIABLE_FUNCTION_GET_VARIABLE, SMM_VARIABLE_FUNCTION_GET_NEXT_VARIABLE_NAME, SMM_VARIABLE_FUNCTION_SET_VARIABLE,
  SMM_VARIABLE_FUNCTION_QUERY_VARIABLE_INFO, SMM_VARIABLE_FUNCTION_READY_TO_BOOT, SMM_VARIABLE_FUNCTION_EXIT_BOOT_SERVICE,
  SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_SET, SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_GET,
  SMM_VARIABLE_FUNCTION_GET_PAYLOAD_SIZE,
  ACCESS_VAR_OFF_GUID, ACCESS_VAR_OFF_DATA_SIZE, ACCESS_VAR_OFF_NAME_SIZE, ACCESS_VAR_OFF_ATTRIBUTES, ACCESS_VAR_OFF_NAME,
  ACCESS_VAR_HDR_SIZE, GET_NEXT_OFF_GUID, GET_NEXT_OFF_NAME_SIZE, GET_NEXT_OFF_NAME, GET_NEXT_HDR_SIZE,
  QUERY_OFF_MAX_STORAGE, QUERY_OFF_REMAINING, QUERY_OFF_MAX_VARIABLE_SIZE, QUERY_OFF_ATTRIBUTES, QUERY_SIZE,
  PROP_COMM_OFF_GUID, PROP_COMM_OFF_NAME_SIZE, PROP_COMM_OFF_PROPERTY, PROP_COMM_OFF_NAME, PROP_COMM_HDR_SIZE,
  PROP_OFF_REVISION, PROP_OFF_PROPERTY, PROP_OFF_MIN_SIZE, PROP_OFF_MAX_SIZE,
  VAR_CHECK_VARIABLE_PROPERTY_REVISION, VAR_CHECK_VARIABLE_PROPERTY_READ_ONLY, GET_PAYLOAD_SIZE_SIZE,
  EFI_SUCCESS, EFI_INVALID_PARAMETER, EFI_UNSUPPORTED, EFI_BAD_BUFFER_SIZE, EFI_BUFFER_TOO_SMALL,
  EFI_WRITE_PROTECTED, EFI_OUT_OF_RESOURCES, EFI_NOT_FOUND, EFI_ACCESS_DENIED,
  EFI_VARIABLE_NON_VOLATILE, EFI_VARIABLE_BOOTSERVICE_ACCESS, EFI_VARIABLE_RUNTIME_ACCESS,
  EFI_VARIABLE_HARDWARE_ERROR_RECORD, EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS,
  EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS, EFI_VARIABLE_APPEND_WRITE,
  EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS, EFI_VARIABLE_MASK,
  EFIVAR_MAX_VARIABLES, EFIVAR_MAX_VARIABLE_SIZE, EFIVAR_MAX_NAME_BYTES, EFIVAR_IMAGE_V1, EFIVAR_SEMANTICS_EDK2,
  SLOT_HAS_VARIABLE, SLOT_HAS_CONSTRAINT, STORE_PHASE_RUNTIME, STORE_PHASE_END_OF_DXE,
  EFIVAR_INFO_OFF_MAJOR, EFIVAR_INFO_OFF_MINOR, EFIVAR_INFO_OFF_KIND, EFIVAR_INFO_OFF_SEMANTICS,
  EFIVAR_INFO_OFF_ACTIVATIONS, EFIVAR_INFO_OFF_VARIABLES, EFIVAR_INFO_OFF_REQUESTS, EFIVAR_INFO_SIZE,
  EFIVAR_LSB_MAGIC, EFIVAR_LSB_OFF_MAGIC, EFIVAR_LSB_OFF_PARTITION_ID, EFIVAR_LSB_OFF_ACTIVATIONS,
  EFIVAR_LSB_OFF_IMAGE_KIND, EFIVAR_LSB_OFF_REQUESTS, EFIVAR_LSB_OFF_STOP_TOKEN, EFIVAR_LSB_STOP_TOKEN,
} from "./generated/protocol";
import {
  store_configure, store_cold_init, store_check, phase, set_phase, find, allocate, write_variable, delete_variable,
  relocate, set_constraint, wants_nv, slot_flags, slot_attributes, slot_data_size, slot_data, slot_name, slot_name_size,
  slot_guid, slot_constraint, slot_by_index, slot_is_nv, SLOT_COUNT, data_used, variable_count,
} from "./store";

// ---------------------------------------------------------------------------------------------
// Configuration (set by the generated entry file, after the runtime's spConfigure(layout))
// ---------------------------------------------------------------------------------------------

let kind: u32 = EFIVAR_IMAGE_V1;
let semantics: u32 = 0;
let lsbBase: usize = 0;
let lsbSize: u32 = 0;
let commBase: usize = 0;
let commSize: u32 = 0;

export function efivar_configure(
  imageKind: u32, storeSemantics: u32, volatileStore: usize, nvStore: usize, comm: usize, commBytes: u32,
): void {
  kind = imageKind;
  semantics = storeSemantics;
  lsbBase = liveStateBase();
  lsbSize = liveStateSize();
  commBase = comm;
  commSize = commBytes;
  store_configure(nvStore, volatileStore);
  onInit(init);
  onRequest(handleDirectReq);
  onStop(handleStop);
}

// @ts-ignore: decorator
@inline function edk2(): bool {
  return semantics == EFIVAR_SEMANTICS_EDK2;
}
// @ts-ignore: decorator
@inline function atRuntime(): bool {
  return (phase() & STORE_PHASE_RUNTIME) != 0;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle (the runtime: first entry after FFA_ID_GET, framework messages, the stop response)
// ---------------------------------------------------------------------------------------------

function init(live: bool): void {
  if (live) liveActivationInit();
  else coldInit();
}

function coldInit(): void {
  store_cold_init();
  memory.fill(lsbBase, 0, <usize>lsbSize);
  store<u32>(lsbBase + EFIVAR_LSB_OFF_MAGIC, EFIVAR_LSB_MAGIC);
  store<u16>(lsbBase + EFIVAR_LSB_OFF_PARTITION_ID, <u16>spOwnId());
  store<u32>(lsbBase + EFIVAR_LSB_OFF_IMAGE_KIND, kind);
}

/** The new image after a live activation: the LSB and both stores must be what the old image left. */
function liveActivationInit(): void {
  if (load<u32>(lsbBase + EFIVAR_LSB_OFF_MAGIC) != EFIVAR_LSB_MAGIC) abort("LSB: bad magic");
  const pid = <u32>load<u16>(lsbBase + EFIVAR_LSB_OFF_PARTITION_ID);
  if (spOwnId() == 0) spSetOwnId(pid);
  if (pid != spOwnId()) abort("LSB: partition ID mismatch");
  const token = load<u32>(lsbBase + EFIVAR_LSB_OFF_STOP_TOKEN);
  if ((token & 0xffff0000) != EFIVAR_LSB_STOP_TOKEN) abort("LSB: not stopped");
  if (!store_check()) abort("variable store: bad header");
  store<u32>(lsbBase + EFIVAR_LSB_OFF_STOP_TOKEN, 0);
  store<u32>(lsbBase + EFIVAR_LSB_OFF_ACTIVATIONS, load<u32>(lsbBase + EFIVAR_LSB_OFF_ACTIVATIONS) + 1);
  store<u32>(lsbBase + EFIVAR_LSB_OFF_IMAGE_KIND, kind);
}

function respond(is64: bool, sender: u32, receiver: u32, w2: u32, x3: u64, x4: u64, x5: u64): void {
  directResp(is64, sender, receiver, w2, x3, x4, x5, 0, 0);
}

function handleDirectReq(is64: bool, sender: u32, receiver: u32, w2: u32): void {
  if ((w2 & FFA_FRAMEWORK_MSG_BIT) != 0) {
    // A framework message the runtime does not handle.
    respond(false, sender, receiver, 0, <u64><i64>MM_RET_NOT_SUPPORTED, 0, 0);
    return;
  }
  // TS smm_gateway_sp.c: a 32-bit request is answered DIRECT_RESP_32 with w3 = NOT_SUPPORTED.
  if (!is64) {
    respond(false, sender, receiver, 0, <u64><i64>MM_RET_NOT_SUPPORTED, 0, 0);
    return;
  }
  const code = mmCommunicate(reg(3));
  if (kind != EFIVAR_IMAGE_V1) store<u64>(lsbBase + EFIVAR_LSB_OFF_REQUESTS, load<u64>(lsbBase + EFIVAR_LSB_OFF_REQUESTS) + 1);
  respond(true, sender, receiver, 0, <u64><i64>code, 0, 0);
}

/** PARTITION_STOP_REQ: everything already lives outside the window; mark the LSB as "stopped by <kind>" and accept. */
function handleStop(receiver: u32): u32 {
  store<u32>(lsbBase + EFIVAR_LSB_OFF_MAGIC, EFIVAR_LSB_MAGIC);
  store<u16>(lsbBase + EFIVAR_LSB_OFF_PARTITION_ID, <u16>(spOwnId() != 0 ? spOwnId() : receiver));
  store<u32>(lsbBase + EFIVAR_LSB_OFF_STOP_TOKEN, EFIVAR_LSB_STOP_TOKEN | kind);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// MM endpoint (TS mm_communicate_call_ep.c, smm_variable_mm_service.c)
// ---------------------------------------------------------------------------------------------

/** Request payload (after the SMM variable header), its length, and the response space. */
let req: usize = 0;
let reqLen: u64 = 0;
let respSpace: u64 = 0;
/** The response payload length the handler produced (MessageLength = 16 + this). */
let respLen: u64 = 0;
/** Set when a handler's RPC status is not SUCCESS (→ x3). */
let rpcCode: i32 = 0;

function mmCommunicate(offset: u64): i32 {
  const size = <u64>commSize;
  if (offset > size || offset + <u64>MM_HDR_SIZE > size) return MM_RET_INVALID_PARAMETER;
  const hdr = commBase + <usize>offset;
  const msgLen = load<u64>(hdr + MM_HDR_OFF_MESSAGE_LENGTH);
  if (msgLen > size - offset - <u64>MM_HDR_SIZE) return MM_RET_INVALID_PARAMETER;
  const data = hdr + MM_HDR_SIZE;
  const space = size - offset - <u64>MM_HDR_SIZE;
  const g0 = load<u64>(hdr), g1 = load<u64>(hdr + 8);
  if (g0 == EFIVAR_INFO_GUID_LO && g1 == EFIVAR_INFO_GUID_HI) return infoHandler(hdr, data, space);
  if (g0 != SMM_VARIABLE_GUID_LO || g1 != SMM_VARIABLE_GUID_HI) return MM_RET_NOT_SUPPORTED;
  if (msgLen < <u64>SMM_VAR_HDR_SIZE) return MM_RET_DENIED;
  req = data + SMM_VAR_HDR_SIZE;
  reqLen = msgLen - <u64>SMM_VAR_HDR_SIZE;
  respSpace = space - <u64>SMM_VAR_HDR_SIZE;
  respLen = 0;
  rpcCode = MM_RET_SUCCESS;
  const fn = load<u64>(data + SMM_VAR_OFF_FUNCTION);
  let status: u64 = EFI_SUCCESS;
  let handled = true;
  switch (<u32>min(fn, 0xffffffff)) {
    case SMM_VARIABLE_FUNCTION_GET_VARIABLE: status = getVariable(); break;
    case SMM_VARIABLE_FUNCTION_GET_NEXT_VARIABLE_NAME: status = getNextVariableName(); break;
    case SMM_VARIABLE_FUNCTION_SET_VARIABLE: status = setVariable(); break;
    case SMM_VARIABLE_FUNCTION_QUERY_VARIABLE_INFO: status = queryVariableInfo(); break;
    case SMM_VARIABLE_FUNCTION_EXIT_BOOT_SERVICE:
      set_phase(STORE_PHASE_RUNTIME);
      break;
    case SMM_VARIABLE_FUNCTION_READY_TO_BOOT:
      // TS has no handler (→ -2); edk2 runs its EndOfDxe work at boot and refuses it at runtime.
      if (!edk2()) handled = false;
      else if (atRuntime()) status = EFI_UNSUPPORTED;
      else set_phase(STORE_PHASE_END_OF_DXE);
      break;
    case SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_SET: status = propertySet(); break;
    case SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_GET: status = propertyGet(); break;
    case SMM_VARIABLE_FUNCTION_GET_PAYLOAD_SIZE:
      if (reqLen < <u64>GET_PAYLOAD_SIZE_SIZE) status = EFI_INVALID_PARAMETER;
      else {
        // TS: request.size - 36, request.size = buffer - offset - 24 - 16.
        store<u64>(req, respSpace - <u64>ACCESS_VAR_HDR_SIZE);
        respLen = GET_PAYLOAD_SIZE_SIZE;
      }
      break;
    default:
      handled = false;
  }
  if (!handled) {
    // RPC_ERROR_INVALID_VALUE: ReturnStatus 0 (service status never set), MessageLength 16.
    store<u64>(data + SMM_VAR_OFF_RETURN_STATUS, 0);
    store<u64>(hdr + MM_HDR_OFF_MESSAGE_LENGTH, <u64>SMM_VAR_HDR_SIZE);
    return MM_RET_INVALID_PARAMETER;
  }
  if (respLen > respSpace) return MM_RET_NO_MEMORY;
  store<u64>(data + SMM_VAR_OFF_RETURN_STATUS, status);
  store<u64>(hdr + MM_HDR_OFF_MESSAGE_LENGTH, <u64>SMM_VAR_HDR_SIZE + respLen);
  return rpcCode;
}

/** This model's info handler: version, kind, semantics, activations, variables, requests (v2). */
function infoHandler(hdr: usize, data: usize, space: u64): i32 {
  if (space < <u64>EFIVAR_INFO_SIZE) return MM_RET_NO_MEMORY;
  memory.fill(data, 0, <usize>EFIVAR_INFO_SIZE);
  const v2 = kind != EFIVAR_IMAGE_V1;
  store<u32>(data + EFIVAR_INFO_OFF_MAJOR, v2 ? 2 : 1);
  store<u32>(data + EFIVAR_INFO_OFF_MINOR, 0);
  store<u32>(data + EFIVAR_INFO_OFF_KIND, kind);
  store<u32>(data + EFIVAR_INFO_OFF_SEMANTICS, semantics);
  store<u64>(data + EFIVAR_INFO_OFF_ACTIVATIONS, <u64>load<u32>(lsbBase + EFIVAR_LSB_OFF_ACTIVATIONS));
  store<u64>(data + EFIVAR_INFO_OFF_VARIABLES, <u64>variable_count());
  if (v2) store<u64>(data + EFIVAR_INFO_OFF_REQUESTS, load<u64>(lsbBase + EFIVAR_LSB_OFF_REQUESTS) + 1);
  store<u64>(hdr + MM_HDR_OFF_MESSAGE_LENGTH, <u64>EFIVAR_INFO_SIZE);
  return MM_RET_SUCCESS;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/**
 * A name of nameSize bytes: terminated (last UCS-2 unit NUL, nameSize ≥ 2 and even). Returns the
 * size up to and including the first NUL, or 0 if unterminated.
 */
function nameBytes(name: usize, nameSize: u64): u32 {
  if (nameSize < 2 || (nameSize & 1) != 0 || nameSize > 0xffff) return 0;
  const units = <u32>(nameSize >> 1);
  for (let i: u32 = 0; i < units; i++) if (load<u16>(name + (<usize>i << 1)) == 0) return (i + 1) << 1;
  return 0;
}

/** Visible in the current phase: after EBS only RT variables; before it BS ones (or uncontrolled: neither). */
function visible(attrs: u32): bool {
  const bs = (attrs & EFI_VARIABLE_BOOTSERVICE_ACCESS) != 0, rt = (attrs & EFI_VARIABLE_RUNTIME_ACCESS) != 0;
  if (!bs && !rt) return true;
  return atRuntime() ? rt : bs;
}

// ---------------------------------------------------------------------------------------------
// GET_VARIABLE (TS smm_variable_provider.c)
// ---------------------------------------------------------------------------------------------

function getVariable(): u64 {
  if (reqLen < <u64>ACCESS_VAR_HDR_SIZE) return EFI_INVALID_PARAMETER;
  const nameSize = load<u64>(req + ACCESS_VAR_OFF_NAME_SIZE);
  if (nameSize > reqLen - <u64>ACCESS_VAR_HDR_SIZE) return EFI_INVALID_PARAMETER;
  const name = req + ACCESS_VAR_OFF_NAME;
  const nb = nameBytes(name, nameSize);
  if (nb == 0) return edk2() ? EFI_ACCESS_DENIED : EFI_INVALID_PARAMETER;
  if (edk2() && load<u16>(name) == 0) return EFI_NOT_FOUND;
  if (respSpace < <u64>ACCESS_VAR_HDR_SIZE + nameSize) return EFI_BAD_BUFFER_SIZE;
  respLen = <u64>ACCESS_VAR_HDR_SIZE + nameSize;
  const s = find(name, nb, req + ACCESS_VAR_OFF_GUID);
  if (s == 0 || (slot_flags(s) & SLOT_HAS_VARIABLE) == 0 || !visible(slot_attributes(s))) {
    store<u64>(req + ACCESS_VAR_OFF_DATA_SIZE, 0);
    return EFI_NOT_FOUND;
  }
  const size = <u64>slot_data_size(s);
  // The caller's buffer (DataSize) bounded by the space left in the comm buffer.
  const limit = min(load<u64>(req + ACCESS_VAR_OFF_DATA_SIZE), respSpace - respLen);
  store<u32>(req + ACCESS_VAR_OFF_ATTRIBUTES, slot_attributes(s));
  store<u64>(req + ACCESS_VAR_OFF_DATA_SIZE, size);
  if (size > limit) return EFI_BUFFER_TOO_SMALL;
  memory.copy(name + <usize>nameSize, slot_data(s), <usize>size);
  respLen += size;
  return EFI_SUCCESS;
}

// ---------------------------------------------------------------------------------------------
// GET_NEXT_VARIABLE_NAME (TS smm_variable_provider.c)
// ---------------------------------------------------------------------------------------------

function getNextVariableName(): u64 {
  if (reqLen < <u64>GET_NEXT_HDR_SIZE) return EFI_INVALID_PARAMETER;
  const bufSize = load<u64>(req + GET_NEXT_OFF_NAME_SIZE);
  if (bufSize > reqLen - <u64>GET_NEXT_HDR_SIZE) return EFI_INVALID_PARAMETER;
  const name = req + GET_NEXT_OFF_NAME;
  const guid = req + GET_NEXT_OFF_GUID;
  const nb = nameBytes(name, bufSize);
  if (nb == 0) return edk2() ? EFI_ACCESS_DENIED : EFI_INVALID_PARAMETER;
  respLen = GET_NEXT_HDR_SIZE;
  let start: u32 = 0;
  if (load<u16>(name) != 0) {
    const cur = find(name, nb, guid);
    if (cur == 0 || (slot_flags(cur) & SLOT_HAS_VARIABLE) == 0 || !visible(slot_attributes(cur))) return EFI_INVALID_PARAMETER;
    for (let i: u32 = 0; i < SLOT_COUNT; i++) if (slot_by_index(i) == cur) start = i + 1;
  }
  let next: usize = 0;
  for (let i = start; i < SLOT_COUNT; i++) {
    const s = slot_by_index(i);
    if ((slot_flags(s) & SLOT_HAS_VARIABLE) != 0 && visible(slot_attributes(s))) {
      next = s;
      break;
    }
  }
  if (next == 0) {
    memory.fill(guid, 0, 16);
    memory.fill(name, 0, <usize>min(bufSize, respSpace - <u64>GET_NEXT_HDR_SIZE));
    store<u64>(req + GET_NEXT_OFF_NAME_SIZE, 0);
    return EFI_NOT_FOUND;
  }
  const needed = <u64>slot_name_size(next);
  const capacity = min(bufSize, respSpace - <u64>GET_NEXT_HDR_SIZE);
  if (needed > capacity) {
    memory.fill(guid, 0, 16);
    memory.fill(name, 0, <usize>nb);
    store<u64>(req + GET_NEXT_OFF_NAME_SIZE, needed);
    return EFI_BUFFER_TOO_SMALL;
  }
  memory.copy(guid, slot_guid(next), 16);
  memory.copy(name, slot_name(next), <usize>needed);
  store<u64>(req + GET_NEXT_OFF_NAME_SIZE, needed);
  respLen = <u64>GET_NEXT_HDR_SIZE + needed;
  return EFI_SUCCESS;
}

// ---------------------------------------------------------------------------------------------
// SET_VARIABLE (TS smm_variable_provider.c; edk2 Variable.c in the edk2 variant)
// ---------------------------------------------------------------------------------------------

function checkAttributes(attrs: u32): u64 {
  const bs = (attrs & EFI_VARIABLE_BOOTSERVICE_ACCESS) != 0, rt = (attrs & EFI_VARIABLE_RUNTIME_ACCESS) != 0;
  if (edk2()) {
    if ((attrs & ~EFI_VARIABLE_MASK) != 0) return EFI_INVALID_PARAMETER;
    if ((attrs & EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS) != 0) return EFI_UNSUPPORTED;
    if (rt && !bs) return EFI_INVALID_PARAMETER;
    // No HwErr storage and no authenticated variables in this model.
    if ((attrs & (EFI_VARIABLE_HARDWARE_ERROR_RECORD | EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS | EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS)) != 0) return EFI_UNSUPPORTED;
    if ((attrs & ~EFI_VARIABLE_APPEND_WRITE) == EFI_VARIABLE_NON_VOLATILE) return EFI_INVALID_PARAMETER;
    return EFI_SUCCESS;
  }
  if (rt && !bs) return EFI_INVALID_PARAMETER;
  if ((attrs & EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS) != 0) return EFI_UNSUPPORTED;
  const tb = (attrs & EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS) != 0;
  const en = (attrs & EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS) != 0;
  if (tb && en) return EFI_INVALID_PARAMETER;
  if (en || (attrs & EFI_VARIABLE_HARDWARE_ERROR_RECORD) != 0 || (attrs & ~EFI_VARIABLE_MASK) != 0) return EFI_UNSUPPORTED;
  // MODEL: no authenticated variables (TS would verify them with its crypto backend).
  if (tb) return EFI_UNSUPPORTED;
  return EFI_SUCCESS;
}

function setVariable(): u64 {
  if (reqLen < <u64>ACCESS_VAR_HDR_SIZE) return EFI_INVALID_PARAMETER;
  const nameSize = load<u64>(req + ACCESS_VAR_OFF_NAME_SIZE);
  if (nameSize > reqLen - <u64>ACCESS_VAR_HDR_SIZE) return EFI_INVALID_PARAMETER;
  const dataSize = load<u64>(req + ACCESS_VAR_OFF_DATA_SIZE);
  if (dataSize > reqLen - <u64>ACCESS_VAR_HDR_SIZE - nameSize) return EFI_INVALID_PARAMETER;
  const name = req + ACCESS_VAR_OFF_NAME;
  const data = name + <usize>nameSize;
  const guid = req + ACCESS_VAR_OFF_GUID;
  const attrs = load<u32>(req + ACCESS_VAR_OFF_ATTRIBUTES);
  const nb = nameBytes(name, nameSize);
  if (nb == 0) return edk2() ? EFI_ACCESS_DENIED : EFI_INVALID_PARAMETER;
  if (load<u16>(name) == 0) return EFI_INVALID_PARAMETER;
  const st = checkAttributes(attrs);
  if (st != EFI_SUCCESS) return st;
  if (dataSize > <u64>EFIVAR_MAX_VARIABLE_SIZE) return EFI_INVALID_PARAMETER;

  const append = (attrs & EFI_VARIABLE_APPEND_WRITE) != 0;
  const base = attrs & ~EFI_VARIABLE_APPEND_WRITE;
  const access = attrs & (EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS);
  const isDelete = access == 0 || (dataSize == 0 && !append);
  const s = find(name, nb, guid);
  const exists = s != 0 && (slot_flags(s) & SLOT_HAS_VARIABLE) != 0;

  if (atRuntime()) {
    if (edk2()) {
      if (exists && (slot_attributes(s) & EFI_VARIABLE_RUNTIME_ACCESS) == 0) return EFI_WRITE_PROTECTED;
      if (exists && (slot_attributes(s) & EFI_VARIABLE_NON_VOLATILE) == 0) return EFI_WRITE_PROTECTED;
      if (!isDelete && (base & (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_RUNTIME_ACCESS)) != (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_RUNTIME_ACCESS)) {
        return EFI_INVALID_PARAMETER;
      }
    } else if (exists && !visible(slot_attributes(s))) {
      return EFI_NOT_FOUND; // TS check_access_permitted: a BS-only variable is gone after EBS
    }
  } else if (exists && !visible(slot_attributes(s))) {
    return EFI_NOT_FOUND;
  }

  // Constraints (VarCheck) are checked before the delete decision (TS variable_checker_check_on_set).
  if (s != 0 && (slot_flags(s) & SLOT_HAS_CONSTRAINT) != 0) {
    const c = slot_constraint(s);
    if ((<u32>load<u16>(c + PROP_OFF_PROPERTY) & VAR_CHECK_VARIABLE_PROPERTY_READ_ONLY) != 0) return EFI_WRITE_PROTECTED;
    if (dataSize < load<u64>(c + PROP_OFF_MIN_SIZE) || dataSize > load<u64>(c + PROP_OFF_MAX_SIZE)) return EFI_INVALID_PARAMETER;
  }

  // TS: attributes == NV only on a missing variable with data create an NV-only ("uncontrolled") variable.
  const nvOnlyCreate = !edk2() && access == 0 && !exists && dataSize > 0 && base == EFI_VARIABLE_NON_VOLATILE;
  if (isDelete && !nvOnlyCreate) {
    if (!exists) return EFI_NOT_FOUND;
    if (access != 0 && slot_attributes(s) != base) return EFI_INVALID_PARAMETER;
    delete_variable(s);
    return EFI_SUCCESS;
  }
  if (!exists && dataSize == 0) {
    // APPEND of nothing to a missing variable: edk2 (and U-Boot's own store) succeed without
    // creating it; TS answers NOT_FOUND (size 0 and no entry).
    return edk2() ? EFI_SUCCESS : EFI_NOT_FOUND;
  }
  if (exists) {
    if (slot_attributes(s) != base) return EFI_INVALID_PARAMETER;
    if (append) {
      if (<u64>slot_data_size(s) + dataSize > <u64>EFIVAR_MAX_VARIABLE_SIZE) return EFI_INVALID_PARAMETER;
      if (dataSize > 0) write_variable(s, base, data, <u32>dataSize, true);
      return EFI_SUCCESS;
    }
    write_variable(s, base, data, <u32>dataSize, false);
    return EFI_SUCCESS;
  }
  // Create.
  if (nb > EFIVAR_MAX_NAME_BYTES) return EFI_OUT_OF_RESOURCES;
  const nv = wants_nv(base);
  let d: usize = 0;
  if (s != 0) d = relocate(s, nv); // a constraint-only entry: the variable joins it
  else d = allocate(nv, name, nb, guid);
  if (d == 0) return EFI_OUT_OF_RESOURCES;
  write_variable(d, base, data, <u32>dataSize, false);
  return EFI_SUCCESS;
}

// ---------------------------------------------------------------------------------------------
// QUERY_VARIABLE_INFO (TS smm_variable_provider.c; edk2 Variable.c in the edk2 variant)
// ---------------------------------------------------------------------------------------------

function queryVariableInfo(): u64 {
  if (reqLen < <u64>QUERY_SIZE) return EFI_INVALID_PARAMETER;
  const attrs = load<u32>(req + QUERY_OFF_ATTRIBUTES);
  if (edk2()) {
    const bs = (attrs & EFI_VARIABLE_BOOTSERVICE_ACCESS) != 0, rt = (attrs & EFI_VARIABLE_RUNTIME_ACCESS) != 0;
    if (attrs == 0) return EFI_INVALID_PARAMETER;
    if ((attrs & EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS) != 0) return EFI_UNSUPPORTED;
    if ((attrs & EFI_VARIABLE_MASK) == 0) return EFI_UNSUPPORTED;
    if ((attrs & ~EFI_VARIABLE_MASK) != 0) return EFI_INVALID_PARAMETER;
    if ((attrs & (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)) == EFI_VARIABLE_NON_VOLATILE) return EFI_INVALID_PARAMETER;
    if (rt && !bs) return EFI_INVALID_PARAMETER;
    if (atRuntime() && !rt) return EFI_INVALID_PARAMETER;
    if ((attrs & EFI_VARIABLE_HARDWARE_ERROR_RECORD) != 0 && (attrs & EFI_VARIABLE_NON_VOLATILE) == 0) return EFI_INVALID_PARAMETER;
  }
  const nv = (attrs & EFI_VARIABLE_NON_VOLATILE) != 0;
  const capacity = <u64>EFIVAR_MAX_VARIABLE_SIZE * <u64>EFIVAR_MAX_VARIABLES;
  const used = data_used(nv);
  store<u64>(req + QUERY_OFF_MAX_STORAGE, capacity);
  store<u64>(req + QUERY_OFF_REMAINING, used >= capacity ? 0 : capacity - used);
  store<u64>(req + QUERY_OFF_MAX_VARIABLE_SIZE, <u64>EFIVAR_MAX_VARIABLE_SIZE);
  respLen = QUERY_SIZE;
  return EFI_SUCCESS;
}

// ---------------------------------------------------------------------------------------------
// VAR_CHECK_VARIABLE_PROPERTY_SET / _GET (TS smm_variable_provider.c)
// ---------------------------------------------------------------------------------------------

function propertyName(): u32 {
  if (reqLen < <u64>PROP_COMM_HDR_SIZE) return 0;
  const nameSize = load<u64>(req + PROP_COMM_OFF_NAME_SIZE);
  if (nameSize > reqLen - <u64>PROP_COMM_HDR_SIZE) return 0;
  return nameBytes(req + PROP_COMM_OFF_NAME, nameSize);
}

function propertySet(): u64 {
  const nb = propertyName();
  if (nb == 0) return EFI_INVALID_PARAMETER;
  if (edk2() && (phase() & (STORE_PHASE_END_OF_DXE | STORE_PHASE_RUNTIME)) != 0) return EFI_ACCESS_DENIED;
  const p = req + PROP_COMM_OFF_PROPERTY;
  if (<u32>load<u16>(p + PROP_OFF_REVISION) != VAR_CHECK_VARIABLE_PROPERTY_REVISION) return EFI_INVALID_PARAMETER;
  if (load<u64>(p + PROP_OFF_MIN_SIZE) > load<u64>(p + PROP_OFF_MAX_SIZE)) return EFI_INVALID_PARAMETER;
  const name = req + PROP_COMM_OFF_NAME;
  const guid = req + PROP_COMM_OFF_GUID;
  let s = find(name, nb, guid);
  if (s == 0) {
    if (nb > EFIVAR_MAX_NAME_BYTES) return EFI_OUT_OF_RESOURCES;
    s = allocate(true, name, nb, guid); // a constraint-only entry lives in the NV index
    if (s == 0) return EFI_OUT_OF_RESOURCES;
  }
  set_constraint(s, p);
  return EFI_SUCCESS;
}

function propertyGet(): u64 {
  const nb = propertyName();
  if (nb == 0) return EFI_INVALID_PARAMETER;
  const s = find(req + PROP_COMM_OFF_NAME, nb, req + PROP_COMM_OFF_GUID);
  respLen = <u64>PROP_COMM_HDR_SIZE + load<u64>(req + PROP_COMM_OFF_NAME_SIZE);
  if (s == 0 || (slot_flags(s) & SLOT_HAS_CONSTRAINT) == 0) return EFI_NOT_FOUND;
  memory.copy(req + PROP_COMM_OFF_PROPERTY, slot_constraint(s), 24);
  return EFI_SUCCESS;
}
