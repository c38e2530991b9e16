/**
 * The one place a capsule filter becomes LanceDB SQL: tags that must all be present, and a caller's `where`
 * (already checked by `checkWhere`), joined with AND.
 */
import { sqlString } from "./validate.js";

/** `array_has_all(tags, [...])` for a non-empty tag list, else undefined. */
export function tagsFilter(tags: readonly string[] | undefined): string | undefined {
  if (!tags || tags.length === 0) return undefined;
  return `array_has_all(tags, [${tags.map(sqlString).join(", ")}])`;
}

/** The parts that are present, each in brackets, joined with AND; undefined when none is. */
export function and(...parts: Array<string | undefined>): string | undefined {
  const present = parts.filter((part): part is string => part !== undefined && part !== "");
  return present.length > 0 ? present.map((part) => `(${part})`).join(" AND ") : undefined;
}

/** Tags and a checked `where` as one filter. */
export function capsuleFilter(
  tags: readonly string[] | undefined,
  where: string | undefined,
): string | undefined {
  return and(tagsFilter(tags), where);
}
