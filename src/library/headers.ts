// Header row → dialect + column positions. Every header Exportify has written (both lineages,
// every version, watsonbox's 12 translations) maps onto one set of canonical column names.
// Names are compared after normalisation (BOMs, TABs, whitespace, case).

export type Column =
  | 'uri' | 'id' | 'isrc' | 'name' | 'artistIds' | 'artistUris' | 'artistNames'
  | 'albumId' | 'albumUri' | 'albumName' | 'albumArtistUris' | 'albumArtistNames'
  | 'releaseDate' | 'imageUrl' | 'discNumber' | 'trackNumber' | 'durationMs' | 'previewUrl'
  | 'explicit' | 'popularity' | 'isPlayable' | 'addedBy' | 'addedAt' | 'genres' | 'albumGenres'
  | 'label' | 'copyrights' | 'totalTracks' | 'albumType'
  | 'danceability' | 'energy' | 'key' | 'loudness' | 'mode' | 'speechiness' | 'acousticness'
  | 'instrumentalness' | 'liveness' | 'valence' | 'tempo' | 'time_signature'

/** How a dialect joins several artists in one cell (docs/exportify.md §0.6). */
export type ArtistJoiner =
  | 'comma' // pavelkomarov ≤ 2025-09-02: "A,B"
  | 'semicolon' // pavelkomarov ≥ 2025-09-02: "A;B"
  | 'comma-space' // watsonbox 2015–2020: "A, B", unescaped
  | 'comma-space-escaped' // watsonbox 2020-11+: "A, B" with `\,` inside names

export type DialectName =
  | 'watsonbox-legacy' // W1 / P0, 9 columns
  | 'watsonbox' // W2–W6, any language, optional groups
  | 'pavelkomarov-ids' // P2–P4: Spotify ID (+ Artist IDs)
  | 'pavelkomarov-track-id' // P6/P7: Track ID
  | 'pavelkomarov-no-id' // P5: no id column at all
  | 'pavelkomarov-uri' // P8–P11: Track URI
  | 'tunemymusic' // other-exporters.ts
  | 'soundiiz' // other-exporters.ts

export interface Dialect {
  name: DialectName
  joiner: ArtistJoiner
  /** Canonical column → cell index. */
  columns: Partial<Record<Column, number>>
  /** Header cells no dialect knows, by index, kept as extra fields. */
  unknown: Array<{ index: number, header: string }>
  headerLength: number
  /**
   * Fewest cells a row may have: through the last column every track row fills (id, name,
   * artists, album, duration, Added At). Later cells may be missing: pavelkomarov drops the audio
   * features of a track Spotify has none for, and Excel drops trailing empty cells.
   */
  minCells: number
  /** A file of several playlists (TuneMyMusic): the playlist name column, and the row type column. */
  group?: { playlist: number, type: number | null }
  /** Cells derived after the file's own (Soundiiz: other-exporters.ts, derivedCells). */
  derive?: { url: number | null, trackId: number | null, duration: number | null }
  /** An empty id cell means a local file (Exportify); false: a track known by name only. */
  emptyIdIsLocal?: boolean
}

// The columns a row is cut off before when it lacks any of them (see Dialect.minCells).
const ROW_CORE: readonly Column[] = ['uri', 'id', 'name', 'artistNames', 'albumName', 'durationMs', 'addedAt']

function minCells (columns: Partial<Record<Column, number>>): number {
  let last = -1
  for (const c of ROW_CORE) last = Math.max(last, columns[c] ?? -1)
  return last + 1
}

// One entry per canonical column: every spelling seen in any version or language.
const SPELLINGS: Record<Column, string[]> = {
  uri: ['spotify uri', 'track uri', 'track-uri', 'uri du titre', 'uri de la canción', 'uri della traccia', 'uri da faixa', 'nummer uri', 'låtens uri', 'トラックuri', 'رابط الأغنية (uri)', 'parça uri', 'uri κομματιού'],
  id: ['spotify id', 'track id'],
  isrc: ['isrc', 'track isrc'],
  name: ['track name', 'track-name', 'nom du titre', 'nombre de la canción', 'nome della traccia', 'nome da faixa', 'nummernaam', 'nummmernaam', 'låtens namn', 'トラック名', 'اسم الأغنية', 'parça adı', 'όνομα κομματιού'],
  artistIds: ['artist ids'],
  artistUris: ['artist uri', 'artist uri(s)', 'künstler-uri(s)', "uri(s) de l'artiste", 'uri(s) del artista', "uri dell'artista", 'uri(s) do artista', 'artiest-uri', 'artistens uri', 'アーティストuri', 'روابط الفنانين (uri)', 'sanatçı uri', 'uri καλλιτέχνη/ων'],
  artistNames: ['artist name', 'artist name(s)', 'künstlername(n)', "nom(s) de l'artiste", 'nombre(s) del artista', "nome dell'artista", 'nome(s) do artista', 'naam van artiest', 'artistens namn', 'アーティスト名', 'أسماء الفنانين', 'sanatçı adı', 'όνομα/τα καλλιτέχνη'],
  albumId: ['album id'],
  albumUri: ['album uri', 'album-uri', "uri de l'album", 'uri del álbum', "uri dell'album", 'uri do álbum', 'albumets uri', 'アルバムuri', 'رابط الألبوم (uri)', 'albüm uri', 'uri άλμπουμ'],
  albumName: ['album name', 'album-name', "nom de l'album", 'nombre del álbum', "nome dell'album", 'nome do álbum', 'naam van album', 'albumets namn', 'アルバム名', 'اسم الألبوم', 'albüm adı', 'όνομα άλμπουμ'],
  albumArtistUris: ['album artist uri(s)', 'album-künstler-uri(s)', "uri(s) de l'artiste de l'album", 'uri(s) del artista del álbum', "uri dell'artista dell'album", 'uri(s) do artista do álbum', 'artiest-uri van het album', 'albumartistens uri', 'アルバムアーティストuri', 'روابط فناني الألبوم (uri)', 'albümdeki sanatçı uri', 'uri καλλιτέχνη/ων άλμπουμ'],
  albumArtistNames: ['album artist name(s)', 'album-künstlername(n)', "nom(s) de l'artiste de l'album", 'nombre(s) del artista del álbum', "nome dell'artista dell'album", 'nome(s) do artista do álbum', 'naam van artiest op het album', 'albumartistens namn', 'アルバムアーティスト名', 'أسماء فناني الألبوم', 'albümdeki sanatçı adı', 'όνομα/τα καλλιτέχνη άλμπουμ'],
  releaseDate: ['release date', 'album release date', 'veröffentlichungsdatum des albums', "date de sortie de l'album", 'fecha de lanzamiento del álbum', "data di rilascio dell'album", 'data de lançamento do álbum', 'releasedatum van het album', 'albumets releasedatum', 'アルバム発売日', 'تاريخ إصدار الألبوم', 'albüm çıkış tarihi', 'ημερομηνία κυκλοφορίας άλμπουμ'],
  imageUrl: ['album image url', 'album-bild-url', "url de l'image de l'album", 'url de la imagen del álbum', "url dell'immagine dell'album", 'url da imagem do álbum', 'album afbeelding-url', 'albumets bild-url', 'アルバム画像url', 'رابط صورة الألبوم', "albüm resim url'si", 'url εικόνας άλμπουμ'],
  discNumber: ['disc number', 'disc-nummer', 'numéro de disque', 'número de disco', 'numero del disco', 'número do disco', 'schijfnummer', 'skivnummer', 'ディスク番号', 'رقم القرص', 'disk numarası', 'αριθμός δίσκου'],
  trackNumber: ['track number', 'track-nummer', 'numéro du titre', 'número de la canción', 'numero della traccia', 'número da faixa', 'nummernummer', 'nummmernummer', 'låtnummer', 'トラック番号', 'رقم الأغنية', 'parça numarası', 'αριθμός κομματιού', 'position'],
  durationMs: ['duration (ms)', 'track duration (ms)', 'duration_ms', 'track-dauer (ms)', 'durée du titre (ms)', 'duración de la canción (ms)', 'durata della traccia (ms)', 'duração da faixa (ms)', 'nummerduur (ms)', 'nummmerduur (ms)', 'låtlängd (ms)', 'トラックの長さ（ミリ秒）', 'مدة الأغنية (بالمللي ثانية)', 'parça süresi (ms)', 'διάρκεια κομματιού (ms)'],
  previewUrl: ['track preview url', 'track-vorschau-url', 'url de prévisualisation du titre', 'url de vista previa de la canción', 'url di anteprima della traccia', 'url de prévia da faixa', 'voorbeeld-url', 'förhandsgranskning url', 'トラックプレビューurl', 'رابط معاينة الأغنية', "parça önizleme url'si", 'url προεπισκόπησης κομματιού'],
  explicit: ['explicit', 'explizit', 'explicite', 'explícito', 'esplicito', 'explícita', 'expliciet', '明示的な内容', 'صريح', 'açık i̇çerik', 'açık içerik', 'ακατάλληλο'],
  popularity: ['popularity', 'beliebtheit', 'popularité', 'popularidad', 'popolarità', 'popularidade', 'populariteit', 'popularitet', '人気度', 'الشعبية', 'popülerlik', 'δημοτικότητα'],
  isPlayable: ['is playable'],
  addedBy: ['added by', 'hinzugefügt von', 'ajouté par', 'añadido por', 'aggiunto da', 'adicionado por', 'toegevoegd door', 'tillagd av', '追加者', 'أضيف بواسطة', 'ekleyen', 'προστέθηκε από'],
  addedAt: ['added at', 'hinzugefügt am', 'ajouté le', 'añadido en', 'aggiunto il', 'adicionado em', 'toegevoegd op', 'tillagd vid', '追加日時', 'أضيف في', 'eklenme tarihi', 'προστέθηκε στις'],
  genres: ['genres', 'artist genres', 'künstler-genres', "genres de l'artiste", 'géneros del artista', "generi dell'artista", 'gêneros do artista', 'genres van de artiest', 'artistens genrer', 'アーティストジャンル', 'أنواع الفنان', 'sanatçı türleri', 'είδη καλλιτέχνη'],
  albumGenres: ['album genres', 'album-genres', "genres de l'album", 'géneros del álbum', "generi dell'album", 'gêneros do álbum', 'genres van het album', 'albumets genrer', 'アルバムジャンル', 'أنواع الألبوم', 'albüm türleri', 'είδη άλμπουμ'],
  label: ['label', 'record label', 'sello', 'etichetta', 'gravadora', 'skivbolag', 'レーベル', 'العلامة التجارية', 'plak şirketi', 'εταιρεία'],
  copyrights: ['copyrights', 'urheberrechte', "droits d'auteur", 'derechos de autor', 'copyright', 'direitos autorais', 'auteursrechten', 'upphovsrätt', '著作権', 'حقوق النشر', 'telif hakları', 'πνευματικά δικαιώματα'],
  totalTracks: ['total album tracks'],
  albumType: ['album type'],
  danceability: ['danceability', 'tanzbarkeit', 'danseabilité', 'bailabilidad', 'ballabilità', 'dançabilidade', 'dansbaarheid', 'dansbarhet', 'ダンサビリティ', 'قابلية الرقص', 'dans edilebilirlik', 'χορευτικότητα'],
  energy: ['energy', 'energie', 'énergie', 'energía', 'energia', 'energi', 'エネルギー', 'الطاقة', 'enerji', 'ενέργεια'],
  key: ['key', 'tonart', 'tonalité', 'tonalidad', 'chiave', 'tonalidade', 'toonsoort', 'キー', 'المفتاح', 'ton', 'τονικότητα'],
  loudness: ['loudness', 'lautstärke', 'volume sonore', 'volumen', 'volume', 'luidheid', 'ljudstyrka', 'ラウドネス', 'مستوى الصوت', 'ses seviyesi', 'ένταση'],
  mode: ['mode', 'modus', 'modo', 'modalità', 'läge', 'モード', 'النمط', 'mod', 'τρόπος'],
  speechiness: ['speechiness', 'sprachanteil', 'parlabilité', 'hablado', 'linguaggio parlato', 'oralidade', 'spraakzaamheid', 'talighet', 'スピーチ性', 'محتوى الكلام', 'konuşma oranı', 'ομιλητικότητα'],
  acousticness: ['acousticness', 'akustik', 'acoustique', 'acústica', 'acustica', 'akoestiek', 'アコースティック性', 'الطابع الصوتي', 'akustiklik', 'ακουστικότητα'],
  instrumentalness: ['instrumentalness', 'instrumentalität', 'instrumental', 'instrumentalidad', 'strumentalità', 'instrumentalidade', 'instrumentaliteit', 'instrumentalhet', 'インストゥルメンタル性', 'الطابع الآلي', 'enstrümantalite', 'οργανοκεντρικότητα'],
  liveness: ['liveness', 'lebendigkeit', 'vivacité', 'vivacidad', 'vivacità', 'vivacidade', 'levendigheid', 'livlighet', 'ライブ感', 'الحيوية', 'canlılık', 'ζωντάνια'],
  valence: ['valence', 'valenz', 'valencia', 'valenza', 'valência', 'valentie', 'valens', '感情値', 'الإيجابية', 'duygusallık', 'θετικότητα'],
  tempo: ['tempo', 'テンポ', 'الإيقاع', 'ρυθμός'],
  time_signature: ['time signature', 'taktart', 'mesure', 'compás', 'battuta', 'compasso', 'maatstreep', '拍子', 'توقيع الزمن', 'ölçü i̇şareti', 'ölçü işareti', 'μέτρο']
}

const BY_SPELLING = new Map<string, Column>()
for (const [column, names] of Object.entries(SPELLINGS) as Array<[Column, string[]]>) {
  for (const n of names) BY_SPELLING.set(normalizeHeader(n), column)
}

export function normalizeHeader (h: string): string {
  return h.replace(/\uFEFF/g, '').replace(/\s+/g, ' ').trim().toLocaleLowerCase('en')
}

export class UnknownHeaderError extends Error {
  override name = 'UnknownHeaderError'
}

/** Classify a header row. Throws UnknownHeaderError when it is not an export we can read. */
export function detectDialect (header: string[], sample: string[][]): Dialect {
  const columns: Partial<Record<Column, number>> = {}
  const unknown: Dialect['unknown'] = []
  // The normalised header each column was found under (indexes in `columns` skip dropped repeats).
  const spelled: Partial<Record<Column, string>> = {}
  // P9 names `Explicit` twice while its rows have one cell fewer: a repeated column is dropped
  // from the header, so every later column lines up with the data again.
  let index = 0
  for (const raw of header) {
    const normalized = normalizeHeader(raw)
    const column = BY_SPELLING.get(normalized)
    if (column !== undefined && columns[column] !== undefined) continue
    if (column !== undefined) {
      columns[column] = index
      spelled[column] = normalized
    } else if (normalized !== '') unknown.push({ index, header: raw.trim() })
    index++
  }
  const has = (c: Column): boolean => columns[c] !== undefined
  const base = { columns, unknown, headerLength: index, minCells: minCells(columns) }

  if (has('artistIds') || spelled.id === 'spotify id') {
    return { ...base, name: 'pavelkomarov-ids', joiner: 'comma' }
  }
  if (has('id')) return { ...base, name: 'pavelkomarov-track-id', joiner: 'comma' }
  if (has('uri') && (has('artistUris') || has('albumUri'))) {
    return { ...base, name: 'watsonbox', joiner: 'comma-space-escaped' }
  }
  // W0 (2015, six columns) has no Disc Number, but `Artist Name` (singular) next to `Spotify URI`
  // is watsonbox's alone: pavelkomarov's P1 wrote `Artist Name(s)`.
  const w0 = spelled.uri === 'spotify uri' && spelled.artistNames === 'artist name'
  if (has('uri') && (has('discNumber') || w0) && !has('genres')) {
    return { ...base, name: 'watsonbox-legacy', joiner: 'comma-space' }
  }
  if (has('uri') && has('name')) {
    // The ';' joiner arrived on 2025-09-02 under an unchanged header; the caller refines it
    // from the data (see refineJoiner).
    return { ...base, name: 'pavelkomarov-uri', joiner: 'comma' }
  }
  if (has('name') && has('artistNames') && has('albumName')) {
    return { ...base, name: 'pavelkomarov-no-id', joiner: 'comma' }
  }
  const positional = positionalWatsonbox(header, sample)
  if (positional) return positional
  throw new UnknownHeaderError(`unrecognised header (${header.slice(0, 4).map(h => JSON.stringify(h.trim())).join(', ')}${header.length > 4 ? ', …' : ''}): not an Exportify export`)
}

/**
 * Whether the dialect's joiner is still for its rows to decide (refineJoiner): a reader that
 * takes a file in pieces reads on for the evidence only then.
 */
export function joinerOpen (d: Dialect): boolean {
  return d.name === 'pavelkomarov-uri' && d.joiner === 'comma' && d.columns.artistNames !== undefined && d.columns.isrc === undefined
}

/**
 * pavelkomarov's Track URI dialect switched from ',' to ';' on 2025-09-02 without a header change.
 * Reads rows only until the evidence turns up (usually within the first few).
 */
export function refineJoiner (dialect: Dialect, records: Iterable<string[]>): Dialect {
  if (dialect.name !== 'pavelkomarov-uri') return dialect
  const c = dialect.columns
  const at = c.artistNames
  if (at === undefined) return dialect
  const semicolon = { ...dialect, joiner: 'semicolon' as const }
  // ISRC (P11) arrived in 2026, well after the switch.
  if (c.isrc !== undefined) return semicolon
  for (const r of records) {
    if ((r[at] ?? '').includes(';')) return semicolon
    // From the Explicit column (2025-05-23) until the switch, `,` and `"` were deleted from track
    // and album names, so either one there dates the file after the switch even when no row
    // has two artists.
    if (c.explicit !== undefined && (DATED_NAME.test(cellAt(r, c.name)) || DATED_NAME.test(cellAt(r, c.albumName)))) return semicolon
  }
  return dialect
}

const DATED_NAME = /[,"]/
function cellAt (r: string[], i: number | undefined): string {
  return i === undefined ? '' : r[i] ?? ''
}

// An unknown translation of watsonbox (a language added after our table): the research's rule is
// to read the 19 base columns by position when every first cell is a Spotify URI.
const WATSONBOX_BASE: Column[] = [
  'uri', 'name', 'artistUris', 'artistNames', 'albumUri', 'albumName', 'albumArtistUris',
  'albumArtistNames', 'releaseDate', 'imageUrl', 'discNumber', 'trackNumber', 'durationMs',
  'previewUrl', 'explicit', 'popularity', 'isrc', 'addedBy', 'addedAt'
]

function positionalWatsonbox (header: string[], sample: string[][]): Dialect | null {
  if (header.length < WATSONBOX_BASE.length || sample.length === 0) return null
  if (!sample.every(r => /^spotify:(track|local|episode):/.test(r[0] ?? ''))) return null
  const columns: Partial<Record<Column, number>> = {}
  WATSONBOX_BASE.forEach((c, i) => { columns[c] = i })
  const unknown = header.slice(WATSONBOX_BASE.length).map((h, i) => ({ index: i + WATSONBOX_BASE.length, header: h.trim() }))
  return { name: 'watsonbox', joiner: 'comma-space-escaped', columns, unknown, headerLength: header.length, minCells: minCells(columns) }
}
