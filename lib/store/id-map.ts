/**
 * Capsule ids are dense and increasing, so maps from id to a small integer (a row, a list) are Int32Arrays
 * indexed by id, with -1 for "absent": smaller and faster than a Map on the hot paths.
 */

/** An id map with room for ids below `size`, all absent. */
export function idMap(size: number): Int32Array {
  return new Int32Array(Math.max(size, 1)).fill(-1);
}

/** Sets `map[id] = value`, growing the map (doubling) when `id` is past its end; returns the map to keep. */
export function setInIdMap(map: Int32Array, id: number, value: number): Int32Array {
  let out = map;
  if (id >= map.length) {
    out = idMap(Math.max(id + 1, map.length * 2));
    out.set(map);
  }
  out[id] = value;
  return out;
}
