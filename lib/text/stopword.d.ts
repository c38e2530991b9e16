/** The lists of the `stopword` package that SIGLA reads (the package ships no types). */
declare module "stopword" {
  /** English stop words. */
  export const eng: string[];
  /** Russian stop words. */
  export const rus: string[];
}
