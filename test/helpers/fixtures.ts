// The six real Exportify exports (test/fixtures/exportify-real) staged under the file names
// their exporters gave them, so Liked Songs detection and playlist names are exercised too.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures')
export const REAL = path.join(FIXTURES, 'exportify-real')

/** fixture file → path inside a staged library (the name the exporter wrote). */
export const REAL_EXPORTS: Record<string, string> = {
  'pavelkomarov-2019to2024_spotify-id-artist-ids-ragged-row_lagos_jump_.csv': 'pavelkomarov-2022/lagos_jump_.csv',
  'pavelkomarov-2024-09to12_track-id-tabs-in-header_your_top_songs_2023.csv': 'pavelkomarov-2024/your_top_songs_2023.csv',
  'pavelkomarov-2025-09plus_track-uri-semicolon-artists-bom_Liked_Songs.csv': 'pavelkomarov-2026/Liked_Songs.csv',
  'watsonbox-2015to2020_legacy-9col-bom-unescaped-quotes_your_top_songs_2018.csv': 'watsonbox-2018/your_top_songs_2018.csv',
  'watsonbox-2022plus_en-19col-isrc_liked.csv': 'watsonbox-2026/liked.csv',
  'watsonbox-2024plus_de-localized-19col-local-files_utz_utz_utz.csv': 'watsonbox-2025/utz_utz_utz.csv'
}

export function stageRealExports (dir: string): string {
  for (const [from, to] of Object.entries(REAL_EXPORTS)) {
    fs.mkdirSync(path.dirname(path.join(dir, to)), { recursive: true })
    fs.copyFileSync(path.join(REAL, from), path.join(dir, to))
  }
  return dir
}
