// A host without a file system (a browser bundle): boards from sp_layout.json files and the
// example layout writer need one; each call is refused with the reason.
const none = (what: string) => (): never => {
  throw new Error(`${what}: this host has no file system (sp_layout.json boards and the example layout need Node)`);
};
export const readFileSync = none("readFileSync") as typeof import("node:fs").readFileSync;
export const copyFileSync = none("copyFileSync") as typeof import("node:fs").copyFileSync;
export const mkdirSync = none("mkdirSync") as typeof import("node:fs").mkdirSync;
export const writeFileSync = none("writeFileSync") as typeof import("node:fs").writeFileSync;
export const dirname = none("dirname") as typeof import("node:path").dirname;
export const join = none("join") as typeof import("node:path").join;
export const resolve = none("resolve") as typeof import("node:path").resolve;
export const fileURLToPath = none("fileURLToPath") as typeof import("node:url").fileURLToPath;
