// The update-policy validator generated at build time (src/build-validator.ts → dist/policy-validate.js).
import type { ErrorObject } from "ajv";
declare const validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
export default validate;
