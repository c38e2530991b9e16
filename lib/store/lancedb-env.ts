// LanceDB's native logger reads LANCEDB_LOG when it loads: quiet it unless the user chose a level. Imported
// before @lancedb/lancedb everywhere, so this runs first.
process.env.LANCEDB_LOG ??= "error";
