/** The one talisman metric the CRM uses (the package ships no types). */
declare module 'talisman/metrics/jaro-winkler' {
  /** Jaro-Winkler similarity of two strings, 0 (nothing alike) .. 1 (equal). */
  function jaroWinkler(a: string, b: string): number;
  export = jaroWinkler;
}
