export * from "./trace.js";
export * from "./ring.js";
