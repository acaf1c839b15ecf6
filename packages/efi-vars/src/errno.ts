// The errno values U-Boot's FF-A driver and efi_variable_tee.c return (negated), as Linux defines them.
export const EPERM = 1;
export const EINTR = 4;
export const ENOMEM = 12;
export const EACCES = 13;
export const EBUSY = 16;
export const EINVAL = 22;
export const ENOSYS = 38;
export const EAGAIN = 11;
export const EOPNOTSUPP = 95;
export const ECANCELED = 125;
