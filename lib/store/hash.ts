/** The hash a capsule keeps of its text: `sha256:` and the hex digest of the UTF-8 text. */
import { createHash } from "node:crypto";

/** `sha256:<hex>` of a capsule's text, as the store writes it and checks it on reading. */
export function sha256(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}
