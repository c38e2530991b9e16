/**
 * Where a store lives. A local store is one folder. A store on object storage (`s3://bucket/prefix`, or
 * any URI LanceDB reads: `gs://`, `az://`) keeps its table there, read and written by LanceDB with the
 * `SIGLA_STORAGE_*` options, and its machine-local state — manifest copy, write lock, snapshot, sessions —
 * in a folder of this machine under `$SIGLA_HOME/remote/`, named by the URI. The table is the store of
 * record: a machine that has never seen the store rebuilds its local state from it.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { config } from "../config.js";
import { MANIFEST_FILE } from "./manifest.js";

/** Prefix of the variables passed to LanceDB as object-storage options (`SIGLA_STORAGE_AWS_ENDPOINT` → `aws_endpoint`). */
export const STORAGE_PREFIX = "SIGLA_STORAGE_";

/** Where a store's table lives and this machine's folder for the rest (see the module comment). */
export interface StoreLocation {
  /** Where the table lives: the folder of a local store, the URI of a remote one (no trailing slash). */
  uri: string;
  /** This machine's folder for the store's manifest, lock, snapshot and sessions (the store folder itself when local). */
  dir: string;
  remote: boolean;
}

/** Whether `path` names object storage (`scheme://…`, other than `file://`). */
export function isRemote(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path) && !/^file:\/\//i.test(path);
}

/** The location a store path names: a folder, or a URI on object storage with its local state folder. */
export function locate(path: string): StoreLocation {
  if (!isRemote(path)) {
    const dir = resolve(path);
    return { uri: dir, dir, remote: false };
  }
  const uri = path.replace(/\/+$/, "");
  const key = createHash("sha256").update(uri).digest("hex").slice(0, 16);
  return { uri, dir: join(config().home, "remote", key), remote: true };
}

/** A store kept inside another (the GROWTH log, the conversation): a sub-folder, or a sub-prefix. */
export function nestedPath(parent: string, name: string): string {
  return isRemote(parent) ? `${parent.replace(/\/+$/, "")}/${name}` : join(parent, name);
}

/** LanceDB storage options from `SIGLA_STORAGE_*` (`SIGLA_STORAGE_ALLOW_HTTP=true` → `allow_http: "true"`). */
export function storageOptions(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(STORAGE_PREFIX) && value !== undefined && value !== "") {
      options[name.slice(STORAGE_PREFIX.length).toLowerCase()] = value;
    }
  }
  return options;
}

/** Whether this machine holds the manifest of the store at `path` (a remote store it has opened before). */
export function hasManifest(path: string): boolean {
  return existsSync(join(locate(path).dir, MANIFEST_FILE));
}
