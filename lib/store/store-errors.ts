/** The store's errors about its table: damage, and a table folder that is gone. */
import { StoreError } from "../errors.js";
import { TABLE_NAME } from "./table-schema.js";
import { shortError } from "./validate.js";

/** LanceDB's words for a file of the table that is not there. */
export const MISSING_FILE = /object at location|os error 2|no such file|LanceError\(IO\)/i;

/** The table folder is gone while sigla.json says capsules were written to it (`doctor` can start anew). */
export class TableMissingError extends StoreError {
  constructor(dir: string, rows?: number) {
    super(
      "SIGLA_STORE_DAMAGED",
      `the capsule table of ${dir} is missing (${TABLE_NAME}.lance), but sigla.json records ${rows ?? "some"} capsules written to it; restore the folder from a backup, or run \`sigla doctor --repair --accept-loss -s ${dir}\` to start an empty table`,
    );
  }
}

/** `SIGLA_STORE_DAMAGED` for a LanceDB failure on the table: one line of its cause, and what to do. */
export function damaged(dir: string, what: string, cause: unknown): StoreError {
  return new StoreError(
    "SIGLA_STORE_DAMAGED",
    `${what} of ${dir}: ${shortError(cause)}; run \`sigla doctor -s ${dir}\` to check every row`,
    { cause },
  );
}
