/**
 * A real S3-compatible server on loopback (the `s3rver` package) for the object-storage tests and the load
 * test, with two fixes LanceDB needs from it:
 * - Lance commits a table version with `PUT …/_versions/<n>.manifest` and `If-None-Match: *`, counting on
 *   412 when another writer took that version first; s3rver ignores the header on PUT, so two writers
 *   could both "win" and one commit would be lost without an error. The guard answers 412 (atomic: s3rver
 *   runs in this one event loop).
 * - s3rver's delimited listing skips a folder holding only folders (`t.lance/`), so `tableNames()` would
 *   be empty; the patched listing prunes only below a prefix already found.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(import.meta.url);

interface ListOptions {
  delimiter?: string;
  startAfter?: string;
  prefix?: string;
  maxKeys?: number;
}

/** Replaces s3rver's delimited listing (see above); once per process. */
function patchListing(): void {
  const FilesystemStore = require("s3rver/lib/stores/filesystem.js");
  const S3Object = require("s3rver/lib/models/object.js");
  const { walk } = require("s3rver/lib/utils.js");
  if (FilesystemStore.prototype.siglaPatched) return;
  FilesystemStore.prototype.siglaPatched = true;
  FilesystemStore.prototype.listObjects = async function (bucket: string, options: ListOptions) {
    const { delimiter = "", startAfter = "", prefix = "", maxKeys = Number.POSITIVE_INFINITY } = options;
    const bucketPath: string = this.getBucketPath(bucket);
    const startAfterPath = `${bucketPath}/${startAfter}`;
    const prefixPath = `${bucketPath}/${prefix}`;
    const commonPrefixes = new Set<string>();
    const entries = walk(bucketPath, (dirPath: string) => {
      if (dirPath < startAfterPath && !startAfterPath.includes(dirPath)) return false;
      if (!dirPath.startsWith(prefixPath)) return prefixPath.startsWith(dirPath);
      if (!delimiter) return true;
      const rest = dirPath.slice(prefixPath.length);
      const cut = rest.indexOf(delimiter);
      return cut === -1 || !commonPrefixes.has(prefix + rest.slice(0, cut + 1));
    });
    const suffix = "._S3rver_object";
    const keys: string[] = [];
    let isTruncated = false;
    for (const path of entries as Iterable<string>) {
      if (!path.endsWith(suffix)) continue;
      const key = path.slice(bucketPath.length + 1, -suffix.length);
      if (key <= startAfter || !key.startsWith(prefix)) continue;
      const cut = delimiter ? key.slice(prefix.length).indexOf(delimiter) : -1;
      if (cut !== -1) {
        commonPrefixes.add(key.slice(0, prefix.length + cut + 1));
        continue;
      }
      if (keys.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      keys.push(key);
    }
    const metas = await Promise.all(
      keys.map((key) =>
        this.getMetadata(bucket, key).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return undefined;
          throw error;
        }),
      ),
    );
    return {
      objects: keys.flatMap((key, i) => (metas[i] ? [new S3Object(bucket, key, null, metas[i])] : [])),
      commonPrefixes: [...commonPrefixes].sort(),
      isTruncated,
    };
  };
}

/** Answers 412 to a conditional PUT of a key that exists or is being written (see above). */
function conditionalPut(directory: string) {
  const writing = new Set<string>();
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    if (request.method !== "PUT" || request.headers["if-none-match"] !== "*") return false;
    const url = new URL(request.url ?? "/", "http://s3");
    if (url.searchParams.has("uploadId")) return false;
    const [, bucket, ...rest] = url.pathname.split("/");
    const key = `${bucket}/${decodeURIComponent(rest.join("/"))}`;
    if (writing.has(key) || existsSync(join(directory, `${key}._S3rver_object`))) {
      request.resume();
      response.writeHead(412, { "content-type": "application/xml" });
      response.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>',
      );
      return true;
    }
    writing.add(key);
    response.on("close", () => writing.delete(key));
    return false;
  };
}

export interface S3Server {
  endpoint: string;
  bucket: string;
  /** The `SIGLA_STORAGE_*` variables that reach it (s3rver's fixed credentials). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts s3rver on a free loopback port with one bucket, its objects in a temporary folder. */
export async function startS3(bucket = "sigla"): Promise<S3Server> {
  patchListing();
  const S3rver = require("s3rver");
  const directory = mkdtempSync(join(tmpdir(), "sigla-s3-"));
  const s3 = new S3rver({ silent: true, directory, configureBuckets: [{ name: bucket }] });
  await s3.configureBuckets();
  const handle = s3.callback();
  const guard = conditionalPut(directory);
  const server = createServer((request, response) => {
    if (!guard(request, response)) handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    endpoint,
    bucket,
    env: {
      SIGLA_STORAGE_AWS_ENDPOINT: endpoint,
      SIGLA_STORAGE_AWS_ACCESS_KEY_ID: "S3RVER",
      SIGLA_STORAGE_AWS_SECRET_ACCESS_KEY: "S3RVER",
      SIGLA_STORAGE_AWS_REGION: "us-east-1",
      SIGLA_STORAGE_ALLOW_HTTP: "true",
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
