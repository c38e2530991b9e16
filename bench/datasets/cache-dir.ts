/** Where loaders keep what is costly to rebuild (vectors, embeddings, ground truth): `bench/datasets/cache/`. */
import { fileURLToPath } from "node:url";

export const DATASET_CACHE = fileURLToPath(new URL("./cache/", import.meta.url));
