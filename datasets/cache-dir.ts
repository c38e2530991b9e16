/** Where loaders keep what is costly to rebuild (vectors, embeddings, ground truth): `datasets/cache/`. */
import { fileURLToPath } from "node:url";

export const DATASET_CACHE = fileURLToPath(new URL("./cache/", import.meta.url));
