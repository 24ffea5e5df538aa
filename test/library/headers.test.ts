import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { parseCsv } from '../../src/library/csv-reader.js'
import { decodeCsvBytes } from '../../src/library/decode.js'
import {
  detectDialect,
  normalizeHeader,
  refineJoiner,
  UnknownHeaderError,
  type ArtistJoiner,
  type Column,
  type Dialect,
  type DialectName
} from '../../src/library/headers.js'
import { AUDIO_FEATURE_NAMES } from '../../src/library/types.js'

const FIXTURES = new URL('../fixtures/exportify-real/', import.meta.url)

/** Header cells as the reader hands them over (watsonbox quotes its header). */
function cells (line: string): string[] {
  return parseCsv(line + '\n', ',').records[0]!.cells
}

function detectError (header: string[], sample: string[][] = []): Error {
  try {
    detectDialect(header, sample)
  } catch (err) {
    return err as Error
  }
  throw new Error('expected detectDialect to throw')
}

interface Expect {
  name: DialectName
  joiner: ArtistJoiner
  headerLength: number
  /** Canonical column → index, for the columns the brief calls key (and any others listed). */
  columns: Partial<Record<Column, number>>
  /** Index of Danceability; the 12 features must follow it in order. null: no features. */
  features: number | null
}

function checkDialect (t: Test, label: string, d: Dialect, want: Expect): void {
  t.equal(d.name, want.name, `${label}: dialect`)
  t.equal(d.joiner, want.joiner, `${label}: joiner`)
  t.equal(d.headerLength, want.headerLength, `${label}: header length`)
  for (const [column, index] of Object.entries(want.columns)) {
    t.equal(d.columns[column as Column], index, `${label}: ${column} at ${index}`)
  }
  if (want.features === null) {
    t.same(AUDIO_FEATURE_NAMES.filter(f => d.columns[f] !== undefined), [], `${label}: no audio features`)
  } else {
    t.same(AUDIO_FEATURE_NAMES.map(f => d.columns[f]), AUDIO_FEATURE_NAMES.map((_, i) => want.features! + i), `${label}: 12 audio features from ${want.features}`)
  }
  t.same(d.unknown, [], `${label}: no unknown columns`)
}

const FEATURES_EN = 'Danceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature'

// docs/exportify.md §2.1, byte for byte.
const PAVELKOMAROV: Array<[string, string, Expect]> = [
  ['P0 (watsonbox code, 2015–2019-06)',
    'Spotify URI,Track Name,Artist Name,Album Name,Disc Number,Track Number,Track Duration (ms),Added By,Added At',
    { name: 'watsonbox-legacy', joiner: 'comma-space', headerLength: 9, features: null, columns: { uri: 0, name: 1, artistNames: 2, albumName: 3, discNumber: 4, trackNumber: 5, durationMs: 6, addedBy: 7, addedAt: 8 } }],
  ['P1 (2019-06-22)',
    'Spotify URI,Track Name,Album Name,Duration (ms),Popularity,Release Date,Artist Name(s),Added By,Added At',
    { name: 'pavelkomarov-uri', joiner: 'comma', headerLength: 9, features: null, columns: { uri: 0, name: 1, albumName: 2, durationMs: 3, popularity: 4, releaseDate: 5, artistNames: 6, addedBy: 7, addedAt: 8 } }],
  ['P2 (2019-06-27, Spotify ID without Artist IDs)',
    `Spotify ID,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,${FEATURES_EN}`,
    { name: 'pavelkomarov-ids', joiner: 'comma', headerLength: 22, features: 10, columns: { id: 0, name: 1, albumName: 2, artistNames: 3, releaseDate: 4, durationMs: 5, popularity: 6, addedBy: 7, addedAt: 8, genres: 9 } }],
  ['P3 (2019-06-27 → 2024-09-01)',
    `Spotify ID,Artist IDs,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,${FEATURES_EN}`,
    { name: 'pavelkomarov-ids', joiner: 'comma', headerLength: 23, features: 11, columns: { id: 0, artistIds: 1, name: 2, albumName: 3, artistNames: 4, releaseDate: 5, durationMs: 6, popularity: 7, addedBy: 8, addedAt: 9, genres: 10 } }],
  ['P4 (2024-09-01, Album ID, Label, Total Album Tracks, Album Type)',
    `Spotify ID,Artist IDs,Track Name,Album ID,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Label,Total Album Tracks,Album Type,${FEATURES_EN}`,
    { name: 'pavelkomarov-ids', joiner: 'comma', headerLength: 27, features: 15, columns: { id: 0, artistIds: 1, name: 2, albumId: 3, albumName: 4, artistNames: 5, releaseDate: 6, durationMs: 7, addedAt: 10, genres: 11, label: 12, totalTracks: 13, albumType: 14 } }],
  ['P5 (2024-09-04, no id column)',
    `Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Record Label,${FEATURES_EN}`,
    { name: 'pavelkomarov-no-id', joiner: 'comma', headerLength: 22, features: 10, columns: { name: 0, albumName: 1, artistNames: 2, releaseDate: 3, durationMs: 4, popularity: 5, addedBy: 6, addedAt: 7, genres: 8, label: 9 } }],
  ['P5 (2024-09-06, no id column, TABs)',
    `Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Record Label,\t\t\t\t${FEATURES_EN}`,
    { name: 'pavelkomarov-no-id', joiner: 'comma', headerLength: 22, features: 10, columns: { name: 0, albumName: 1, artistNames: 2, durationMs: 4, addedAt: 7, genres: 8, label: 9 } }],
  ['P6 (2024-09-10, Track ID, four TABs before Danceability)',
    `Track ID,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Record Label,\t\t\t\t${FEATURES_EN}`,
    { name: 'pavelkomarov-track-id', joiner: 'comma', headerLength: 23, features: 11, columns: { id: 0, name: 1, albumName: 2, artistNames: 3, releaseDate: 4, durationMs: 5, popularity: 6, addedBy: 7, addedAt: 8, genres: 9, label: 10 } }],
  ['P7 (2024-12-03, TABs gone)',
    `Track ID,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Record Label,${FEATURES_EN}`,
    { name: 'pavelkomarov-track-id', joiner: 'comma', headerLength: 23, features: 11, columns: { id: 0, name: 1, albumName: 2, artistNames: 3, durationMs: 5, addedAt: 8, genres: 9, label: 10 } }],
  ['P8 (2025-04-07, Track URI)',
    `Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Record Label,${FEATURES_EN}`,
    { name: 'pavelkomarov-uri', joiner: 'comma', headerLength: 23, features: 11, columns: { uri: 0, name: 1, albumName: 2, artistNames: 3, durationMs: 5, addedBy: 7, addedAt: 8, genres: 9, label: 10 } }],
  ['P9 (2025-05-23, Explicit named twice: 25 header cells for 24 data cells)',
    `Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Explicit,Genres,Record Label,${FEATURES_EN}`,
    { name: 'pavelkomarov-uri', joiner: 'comma', headerLength: 24, features: 12, columns: { uri: 0, name: 1, albumName: 2, artistNames: 3, releaseDate: 4, durationMs: 5, popularity: 6, explicit: 7, addedBy: 8, addedAt: 9, genres: 10, label: 11 } }],
  ['P10 (2025-05-23 → 2026-04)',
    `Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Genres,Record Label,${FEATURES_EN}`,
    { name: 'pavelkomarov-uri', joiner: 'comma', headerLength: 24, features: 12, columns: { uri: 0, name: 1, albumName: 2, artistNames: 3, releaseDate: 4, durationMs: 5, explicit: 7, addedBy: 8, addedAt: 9, genres: 10, label: 11 } }],
  ['P11 (2026-04, ISRC)',
    `Track URI,ISRC,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Genres,Record Label,${FEATURES_EN}`,
    { name: 'pavelkomarov-uri', joiner: 'comma', headerLength: 25, features: 13, columns: { uri: 0, isrc: 1, name: 2, albumName: 3, artistNames: 4, releaseDate: 5, durationMs: 6, popularity: 7, explicit: 8, addedBy: 9, addedAt: 10, genres: 11, label: 12 } }]
]

t.test('every pavelkomarov header (§2.1)', async (t) => {
  for (const [label, header, want] of PAVELKOMAROV) {
    checkDialect(t, label, detectDialect(header.split(','), []), want)
  }
})

t.test('P9: after dropping the repeated Explicit, genres and features line up with the 24 data cells', async (t) => {
  const header = `Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Explicit,Genres,Record Label,${FEATURES_EN}`
  // P9's rows are written in P10's order (one Explicit); a real P10 row.
  const row = cells('spotify:track:2orh0fTsNokKCIxZ3c4OIN,"Nghe Nói Anh Sắp Kết Hôn (feat. Bùi Anh Tuấn)","Nghe Nói Anh Sắp Kết Hôn (feat. Bùi Anh Tuấn)","Văn Mai Hương;Bùi Anh Tuấn",2019-10-24,265161,33,false,,2026-03-09T11:29:31Z,"v-pop,hip hop việt nam,vinahouse,indie việt","NCT Corporation",0.224,0.458,2,-5.796,1,0.0334,0.631,0.0000337,0.0733,0.254,185.589,3')
  t.equal(row.length, 24)
  const d = detectDialect(header.split(','), [row])
  t.equal(d.headerLength, row.length)
  const at = (c: Column): string | undefined => row[d.columns[c]!]
  t.equal(at('explicit'), 'false')
  t.equal(at('addedAt'), '2026-03-09T11:29:31Z')
  t.equal(at('genres'), 'v-pop,hip hop việt nam,vinahouse,indie việt')
  t.equal(at('label'), 'NCT Corporation')
  t.same(AUDIO_FEATURE_NAMES.map(f => at(f)), ['0.224', '0.458', '2', '-5.796', '1', '0.0334', '0.631', '0.0000337', '0.0733', '0.254', '185.589', '3'])
})

const W6_EN = '"Track URI","Track Name","Artist URI(s)","Artist Name(s)","Album URI","Album Name","Album Artist URI(s)","Album Artist Name(s)","Album Release Date","Album Image URL","Disc Number","Track Number","Track Duration (ms)","Track Preview URL","Explicit","Popularity","ISRC","Added By","Added At"'
const W6_COLUMNS = { uri: 0, name: 1, artistUris: 2, artistNames: 3, albumUri: 4, albumName: 5, albumArtistUris: 6, albumArtistNames: 7, releaseDate: 8, imageUrl: 9, discNumber: 10, trackNumber: 11, durationMs: 12, previewUrl: 13, explicit: 14, popularity: 15, isrc: 16, addedBy: 17, addedAt: 18 }
const GENRES_EN = ',"Artist Genres"'
const FEATURES_EN_QUOTED = ',' + FEATURES_EN.split(',').map(f => `"${f}"`).join(',')
const ALBUM_EN = ',"Album Genres","Label","Copyrights"'

// docs/exportify.md §3.1.
const WATSONBOX: Array<[string, string, Expect]> = [
  ['W0 (2015-05, six columns, no Disc Number)',
    'Spotify URI,Track Name,Artist Name,Album Name,Added By,Added At',
    { name: 'watsonbox-legacy', joiner: 'comma-space', headerLength: 6, features: null, columns: { uri: 0, name: 1, artistNames: 2, albumName: 3, addedBy: 4, addedAt: 5 } }],
  ['W1 (2015-05 → 2020-11)',
    'Spotify URI,Track Name,Artist Name,Album Name,Disc Number,Track Number,Track Duration (ms),Added By,Added At',
    { name: 'watsonbox-legacy', joiner: 'comma-space', headerLength: 9, features: null, columns: { uri: 0, name: 1, artistNames: 2, albumName: 3, durationMs: 6, addedBy: 7, addedAt: 8 } }],
  ['W2 (2020-11-03)',
    '"Track URI","Track Name","Artist URI","Artist Name","Album URI","Album Name","Disc Number","Track Number","Track Duration (ms)","Added By","Added At"',
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 11, features: null, columns: { uri: 0, name: 1, artistUris: 2, artistNames: 3, albumUri: 4, albumName: 5, discNumber: 6, trackNumber: 7, durationMs: 8, addedBy: 9, addedAt: 10 } }],
  ['W3 (2020-11-20)',
    '"Track URI","Track Name","Artist URI","Artist Name","Album URI","Album Name","Album Release Date","Disc Number","Track Number","Track Duration (ms)","Explicit","Popularity","Added By","Added At"',
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 14, features: null, columns: { uri: 0, name: 1, artistUris: 2, artistNames: 3, albumUri: 4, albumName: 5, releaseDate: 6, durationMs: 9, explicit: 10, popularity: 11, addedBy: 12, addedAt: 13 } }],
  ['W3 with Artist Genres + audio features (deadda7a 22685ec shape)',
    '"Track URI","Track Name","Artist URI","Artist Name","Album URI","Album Name","Album Release Date","Disc Number","Track Number","Track Duration (ms)","Explicit","Popularity","Added By","Added At"' + GENRES_EN + FEATURES_EN_QUOTED,
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 27, features: 15, columns: { uri: 0, name: 1, artistNames: 3, albumName: 5, durationMs: 9, addedAt: 13, genres: 14 } }],
  ['W4 (2021-01-19, image and preview URLs)',
    '"Track URI","Track Name","Artist URI","Artist Name","Album URI","Album Name","Album Release Date","Album Image URL","Disc Number","Track Number","Track Duration (ms)","Track Preview URL","Explicit","Popularity","Added By","Added At"',
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 16, features: null, columns: { uri: 0, name: 1, artistUris: 2, artistNames: 3, albumUri: 4, albumName: 5, releaseDate: 6, imageUrl: 7, durationMs: 10, previewUrl: 11, explicit: 12, popularity: 13, addedBy: 14, addedAt: 15 } }],
  ['W5 (2021-04-20: (s) names, album artists, Added By/At last; reconstructed from §3.1)',
    '"Track URI","Track Name","Artist URI(s)","Artist Name(s)","Album URI","Album Name","Album Artist URI(s)","Album Artist Name(s)","Album Release Date","Album Image URL","Disc Number","Track Number","Track Duration (ms)","Track Preview URL","Explicit","Popularity","Added By","Added At"',
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 18, features: null, columns: { uri: 0, name: 1, artistUris: 2, artistNames: 3, albumArtistUris: 6, albumArtistNames: 7, durationMs: 12, addedBy: 16, addedAt: 17 } }],
  ['W6 base (19 columns)', W6_EN,
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 19, features: null, columns: W6_COLUMNS }],
  ['W6 + Artist Genres (20)', W6_EN + GENRES_EN,
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 20, features: null, columns: { ...W6_COLUMNS, genres: 19 } }],
  ['W6 + audio features (31)', W6_EN + FEATURES_EN_QUOTED,
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 31, features: 19, columns: W6_COLUMNS }],
  ['W6 + album data (22)', W6_EN + ALBUM_EN,
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 22, features: null, columns: { ...W6_COLUMNS, albumGenres: 19, label: 20, copyrights: 21 } }],
  ['W6 + genres + features (32)', W6_EN + GENRES_EN + FEATURES_EN_QUOTED,
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 32, features: 20, columns: { ...W6_COLUMNS, genres: 19 } }],
  ['W6 + features + album (34)', W6_EN + FEATURES_EN_QUOTED + ALBUM_EN,
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 34, features: 19, columns: { ...W6_COLUMNS, albumGenres: 31, label: 32, copyrights: 33 } }],
  ['W6 + all three groups (35)', W6_EN + GENRES_EN + FEATURES_EN_QUOTED + ALBUM_EN,
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 35, features: 20, columns: { ...W6_COLUMNS, genres: 19, albumGenres: 32, label: 33, copyrights: 34 } }],
  ['W6 Is-Playable variant (2024-08-21 → 09-07, 20 base columns)',
    W6_EN.replace('"ISRC",', '"ISRC","Is Playable",'),
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 20, features: null, columns: { ...W6_COLUMNS, isPlayable: 17, addedBy: 18, addedAt: 19 } }],
  ['W6 Is-Playable + all three groups (36)',
    W6_EN.replace('"ISRC",', '"ISRC","Is Playable",') + GENRES_EN + FEATURES_EN_QUOTED + ALBUM_EN,
    { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 36, features: 21, columns: { isrc: 16, isPlayable: 17, addedBy: 18, addedAt: 19, genres: 20, albumGenres: 33, label: 34, copyrights: 35 } }]
]

t.test('every watsonbox header (§3.1), with the optional groups', async (t) => {
  for (const [label, header, want] of WATSONBOX) checkDialect(t, label, detectDialect(cells(header), []), want)
})

interface Language {
  base: string
  genres: string
  album: [string, string, string]
  features: string
}

// docs/exportify.md §3.4.
const LANGUAGES: Record<string, Language> = {
  en: { base: W6_EN, genres: 'Artist Genres', album: ['Album Genres', 'Label', 'Copyrights'], features: FEATURES_EN.replaceAll(',', ', ') },
  de: {
    base: '"Track-URI","Track-Name","Künstler-URI(s)","Künstlername(n)","Album-URI","Album-Name","Album-Künstler-URI(s)","Album-Künstlername(n)","Veröffentlichungsdatum des Albums","Album-Bild-URL","Disc-Nummer","Track-Nummer","Track-Dauer (ms)","Track-Vorschau-URL","Explizit","Beliebtheit","ISRC","Hinzugefügt von","Hinzugefügt am"',
    genres: 'Künstler-Genres',
    album: ['Album-Genres', 'Label', 'Urheberrechte'],
    features: 'Tanzbarkeit, Energie, Tonart, Lautstärke, Modus, Sprachanteil, Akustik, Instrumentalität, Lebendigkeit, Valenz, Tempo, Taktart'
  },
  fr: {
    base: '"URI du titre","Nom du titre","URI(s) de l\'artiste","Nom(s) de l\'artiste","URI de l\'album","Nom de l\'album","URI(s) de l\'artiste de l\'album","Nom(s) de l\'artiste de l\'album","Date de sortie de l\'album","URL de l\'image de l\'album","Numéro de disque","Numéro du titre","Durée du titre (ms)","URL de prévisualisation du titre","Explicite","Popularité","ISRC","Ajouté par","Ajouté le"',
    genres: 'Genres de l\'artiste',
    album: ['Genres de l\'album', 'Label', 'Droits d\'auteur'],
    features: 'Danseabilité, Énergie, Tonalité, Volume sonore, Mode, Parlabilité, Acoustique, Instrumental, Vivacité, Valence, Tempo, Mesure'
  },
  es: {
    base: '"URI de la canción","Nombre de la canción","URI(s) del artista","Nombre(s) del artista","URI del álbum","Nombre del álbum","URI(s) del artista del álbum","Nombre(s) del artista del álbum","Fecha de lanzamiento del álbum","URL de la imagen del álbum","Número de disco","Número de la canción","Duración de la canción (ms)","URL de vista previa de la canción","Explícito","Popularidad","ISRC","Añadido por","Añadido en"',
    genres: 'Géneros del artista',
    album: ['Géneros del álbum', 'Sello', 'Derechos de autor'],
    features: 'Bailabilidad, Energía, Tonalidad, Volumen, Modo, Hablado, Acústica, Instrumentalidad, Vivacidad, Valencia, Tempo, Compás'
  },
  it: {
    base: '"URI della traccia","Nome della traccia","URI dell\'artista","Nome dell\'artista","URI dell\'album","Nome dell\'album","URI dell\'artista dell\'album","Nome dell\'artista dell\'album","Data di rilascio dell\'album","URL dell\'immagine dell\'album","Numero del disco","Numero della traccia","Durata della traccia (ms)","URL di anteprima della traccia","Esplicito","Popolarità","ISRC","Aggiunto da","Aggiunto il"',
    genres: 'Generi dell\'artista',
    album: ['Generi dell\'album', 'Etichetta', 'Copyright'],
    features: 'Ballabilità, Energia, Chiave, Volume, Modalità, Linguaggio parlato, Acustica, Strumentalità, Vivacità, Valenza, Tempo, Battuta'
  },
  pt: {
    base: '"URI da faixa","Nome da faixa","URI(s) do artista","Nome(s) do artista","URI do álbum","Nome do álbum","URI(s) do artista do álbum","Nome(s) do artista do álbum","Data de lançamento do álbum","URL da imagem do álbum","Número do disco","Número da faixa","Duração da faixa (ms)","URL de prévia da faixa","Explícita","Popularidade","ISRC","Adicionado por","Adicionado em"',
    genres: 'Gêneros do artista',
    album: ['Gêneros do álbum', 'Gravadora', 'Direitos autorais'],
    features: 'Dançabilidade, Energia, Tonalidade, Volume, Modo, Oralidade, Acústica, Instrumentalidade, Vivacidade, Valência, Tempo, Compasso'
  },
  nl: {
    base: '"Nummer URI","Nummernaam","Artiest-URI","Naam van artiest","Album-URI","Naam van album","Artiest-URI van het album","Naam van artiest op het album","Releasedatum van het album","Album afbeelding-URL","Schijfnummer","Nummernummer","Nummerduur (ms)","Voorbeeld-URL","Expliciet","Populariteit","ISRC","Toegevoegd door","Toegevoegd op"',
    genres: 'Genres van de artiest',
    album: ['Genres van het album', 'Label', 'Auteursrechten'],
    features: 'Dansbaarheid, Energie, Toonsoort, Luidheid, Modus, Spraakzaamheid, Akoestiek, Instrumentaliteit, Levendigheid, Valentie, Tempo, Maatstreep'
  },
  sv: {
    base: '"Låtens URI","Låtens namn","Artistens URI","Artistens namn","Albumets URI","Albumets namn","Albumartistens URI","Albumartistens namn","Albumets releasedatum","Albumets bild-URL","Skivnummer","Låtnummer","Låtlängd (ms)","Förhandsgranskning URL","Explicit","Popularitet","ISRC","Tillagd av","Tillagd vid"',
    genres: 'Artistens genrer',
    album: ['Albumets genrer', 'Skivbolag', 'Upphovsrätt'],
    features: 'Dansbarhet, Energi, Tonart, Ljudstyrka, Läge, Talighet, Akustik, Instrumentalhet, Livlighet, Valens, Tempo, Taktart'
  },
  ja: {
    base: '"トラックURI","トラック名","アーティストURI","アーティスト名","アルバムURI","アルバム名","アルバムアーティストURI","アルバムアーティスト名","アルバム発売日","アルバム画像URL","ディスク番号","トラック番号","トラックの長さ（ミリ秒）","トラックプレビューURL","明示的な内容","人気度","ISRC","追加者","追加日時"',
    genres: 'アーティストジャンル',
    album: ['アルバムジャンル', 'レーベル', '著作権'],
    features: 'ダンサビリティ, エネルギー, キー, ラウドネス, モード, スピーチ性, アコースティック性, インストゥルメンタル性, ライブ感, 感情値, テンポ, 拍子'
  },
  ar: {
    base: '"رابط الأغنية (URI)","اسم الأغنية","روابط الفنانين (URI)","أسماء الفنانين","رابط الألبوم (URI)","اسم الألبوم","روابط فناني الألبوم (URI)","أسماء فناني الألبوم","تاريخ إصدار الألبوم","رابط صورة الألبوم","رقم القرص","رقم الأغنية","مدة الأغنية (بالمللي ثانية)","رابط معاينة الأغنية","صريح","الشعبية","ISRC","أضيف بواسطة","أضيف في"',
    genres: 'أنواع الفنان',
    album: ['أنواع الألبوم', 'العلامة التجارية', 'حقوق النشر'],
    features: 'قابلية الرقص, الطاقة, المفتاح, مستوى الصوت, النمط, محتوى الكلام, الطابع الصوتي, الطابع الآلي, الحيوية, الإيجابية, الإيقاع, توقيع الزمن'
  },
  tr: {
    base: '"Parça URI","Parça Adı","Sanatçı URI","Sanatçı Adı","Albüm URI","Albüm Adı","Albümdeki Sanatçı URI","Albümdeki Sanatçı Adı","Albüm Çıkış Tarihi","Albüm Resim URL\'si","Disk Numarası","Parça Numarası","Parça Süresi (ms)","Parça Önizleme URL\'si","Açık İçerik","Popülerlik","ISRC","Ekleyen","Eklenme Tarihi"',
    genres: 'Sanatçı Türleri',
    album: ['Albüm Türleri', 'Plak Şirketi', 'Telif Hakları'],
    features: 'Dans Edilebilirlik, Enerji, Ton, Ses Seviyesi, Mod, Konuşma Oranı, Akustiklik, Enstrümantalite, Canlılık, Duygusallık, Tempo, Ölçü İşareti'
  },
  el: {
    base: '"URI κομματιού","Όνομα κομματιού","URI καλλιτέχνη/ων","Όνομα/τα καλλιτέχνη","URI άλμπουμ","Όνομα άλμπουμ","URI καλλιτέχνη/ων άλμπουμ","Όνομα/τα καλλιτέχνη άλμπουμ","Ημερομηνία κυκλοφορίας άλμπουμ","URL εικόνας άλμπουμ","Αριθμός δίσκου","Αριθμός κομματιού","Διάρκεια κομματιού (ms)","URL προεπισκόπησης κομματιού","Ακατάλληλο","Δημοτικότητα","ISRC","Προστέθηκε από","Προστέθηκε στις"',
    genres: 'Είδη καλλιτέχνη',
    album: ['Είδη άλμπουμ', 'Εταιρεία', 'Πνευματικά δικαιώματα'],
    features: 'Χορευτικότητα, Ενέργεια, Τονικότητα, Ένταση, Τρόπος, Ομιλητικότητα, Ακουστικότητα, Οργανοκεντρικότητα, Ζωντάνια, Θετικότητα, Ρυθμός, Μέτρο'
  }
}

function withGroups (lang: Language): string[] {
  const features = lang.features.split(', ')
  return [...cells(lang.base), lang.genres, ...features, ...lang.album]
}

t.test('the 12 localized watsonbox headers (§3.4), base and with every optional group', async (t) => {
  t.equal(Object.keys(LANGUAGES).length, 12)
  for (const [lang, l] of Object.entries(LANGUAGES)) {
    const base = cells(l.base)
    t.equal(base.length, 19, `${lang}: 19 base columns`)
    t.equal(l.features.split(', ').length, 12, `${lang}: 12 feature names`)
    checkDialect(t, `${lang} base`, detectDialect(base, []), {
      name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 19, features: null, columns: W6_COLUMNS
    })
    checkDialect(t, `${lang} + genres + features + album`, detectDialect(withGroups(l), []), {
      name: 'watsonbox',
      joiner: 'comma-space-escaped',
      headerLength: 35,
      features: 20,
      columns: { ...W6_COLUMNS, genres: 19, albumGenres: 32, label: 33, copyrights: 34 }
    })
  }
})

t.test('Dutch headers with the three-m typo (until 2025-11-09)', async (t) => {
  const typo = LANGUAGES.nl!.base.replace('"Nummernaam"', '"Nummmernaam"').replace('"Nummernummer"', '"Nummmernummer"').replace('"Nummerduur (ms)"', '"Nummmerduur (ms)"')
  t.match(typo, /Nummmernaam.*Nummmernummer.*Nummmerduur/)
  checkDialect(t, 'nl typo', detectDialect(cells(typo), []), {
    name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 19, features: null, columns: W6_COLUMNS
  })
})

t.test('the real fixtures', async (t) => {
  const cases: Array<[string, DialectName, ArtistJoiner]> = [
    ['pavelkomarov-2019to2024_spotify-id-artist-ids-ragged-row_lagos_jump_.csv', 'pavelkomarov-ids', 'comma'],
    ['pavelkomarov-2024-09to12_track-id-tabs-in-header_your_top_songs_2023.csv', 'pavelkomarov-track-id', 'comma'],
    ['pavelkomarov-2025-09plus_track-uri-semicolon-artists-bom_Liked_Songs.csv', 'pavelkomarov-uri', 'semicolon'],
    ['watsonbox-2015to2020_legacy-9col-bom-unescaped-quotes_your_top_songs_2018.csv', 'watsonbox-legacy', 'comma-space'],
    ['watsonbox-2022plus_en-19col-isrc_liked.csv', 'watsonbox', 'comma-space-escaped'],
    ['watsonbox-2024plus_de-localized-19col-local-files_utz_utz_utz.csv', 'watsonbox', 'comma-space-escaped']
  ]
  for (const [file, name, joiner] of cases) {
    const { text } = decodeCsvBytes(readFileSync(new URL(file, FIXTURES)))
    const [header, ...rows] = parseCsv(text, ',').records.map(r => r.cells)
    const d = refineJoiner(detectDialect(header!, rows.slice(0, 20)), rows)
    t.equal(d.name, name, file)
    t.equal(d.joiner, joiner, file)
    t.equal(d.headerLength, header!.length, `${file}: header length`)
    t.same(d.unknown, [], `${file}: every column known`)
  }
})

t.test('normalizeHeader: BOMs, whitespace, TABs, case', async (t) => {
  const cases: Array<[string, string]> = [
    ['Track URI', 'track uri'],
    ['\uFEFFTrack URI', 'track uri'],
    ['\uFEFF\uFEFFSpotify URI', 'spotify uri'],
    ['  Track Name\t', 'track name'],
    ['\t\t\t\tDanceability', 'danceability'],
    ['Track\t\tDuration  (ms)', 'track duration (ms)'],
    ['Artist\u00a0Name(s)', 'artist name(s)'],
    ['TRACK URI', 'track uri'],
    ['Hinzugefügt Von', 'hinzugefügt von'],
    ['Ölçü İşareti', 'ölçü i̇şareti'],
    ['', ''],
    ['\uFEFF  ', '']
  ]
  for (const [raw, want] of cases) t.equal(normalizeHeader(raw), want, JSON.stringify(raw))
})

t.test('header normalisation reaches detectDialect', async (t) => {
  const p10 = `Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Genres,Record Label,${FEATURES_EN}`.split(',')
  const variants: Array<[string, string[]]> = [
    ['one BOM on the first cell', ['\uFEFF' + p10[0], ...p10.slice(1)]],
    ['two BOMs on the first cell', ['\uFEFF\uFEFF' + p10[0], ...p10.slice(1)]],
    ['surrounding whitespace', p10.map(h => ` ${h}\t`)],
    ['upper case', p10.map(h => h.toUpperCase())],
    ['lower case', p10.map(h => h.toLowerCase())]
  ]
  for (const [label, header] of variants) {
    checkDialect(t, label, detectDialect(header, []), {
      name: 'pavelkomarov-uri', joiner: 'comma', headerLength: 24, features: 12, columns: { uri: 0, name: 1, albumName: 2, artistNames: 3, durationMs: 5, addedAt: 9 }
    })
  }
  const w1 = detectDialect(['\uFEFF\uFEFFSpotify URI', 'Track Name', 'Artist Name', 'Album Name', 'Disc Number', 'Track Number', 'Track Duration (ms)', 'Added By', 'Added At'], [])
  t.equal(w1.name, 'watsonbox-legacy', 'W1 with its two BOMs')
  t.equal(w1.columns.uri, 0)
})

t.test('unknown extra columns are kept in `unknown` with their index; blank ones are not', async (t) => {
  const p10 = `Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Genres,Record Label,${FEATURES_EN}`.split(',')
  const d = detectDialect([...p10, ' My Rating ', '', 'Mood'], [])
  t.same(d.unknown, [{ index: 24, header: 'My Rating' }, { index: 26, header: 'Mood' }])
  t.equal(d.headerLength, 27, 'a blank header cell still takes its place')
  const w = detectDialect([...cells(W6_EN), 'Playlist Position'], [])
  t.same(w.unknown, [{ index: 19, header: 'Playlist Position' }])
  t.equal(w.name, 'watsonbox')
  const p3 = detectDialect(['Spotify ID', 'Notes', 'Track Name', 'Artist IDs'], [])
  t.same(p3.unknown, [{ index: 1, header: 'Notes' }])
  t.same(p3.columns, { id: 0, name: 2, artistIds: 3 })
})

t.test('refineJoiner: `;` only for the Track URI dialect, only from the artist column', async (t) => {
  const p10 = detectDialect(`Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Genres,Record Label,${FEATURES_EN}`.split(','), [])
  const semicolonRows = [
    cells('spotify:track:3b6RZmPmYzg2mRyfoIznYS,"福气马上来","福气马上来","1119",2025-12-12,195717,65,false,,2026-03-10T13:44:11Z,"","1119"'),
    cells('spotify:track:2orh0fTsNokKCIxZ3c4OIN,"Nghe Nói","x","Văn Mai Hương;Bùi Anh Tuấn",2019-10-24,265161,33,false,,2026-03-09T11:29:31Z,"",""')
  ]
  const commaRows = [cells('spotify:track:2orh0fTsNokKCIxZ3c4OIN,"A; B","x;y","Dr. Dre,Snoop Dogg",2019-10-24,265161,33,false,,2026-03-09T11:29:31Z,"a;b",""')]
  t.equal(refineJoiner(p10, semicolonRows).joiner, 'semicolon', 'a `;` in an artist cell')
  t.equal(refineJoiner(p10, commaRows).joiner, 'comma', '`;` only in title, album and genres')
  t.equal(refineJoiner(p10, []).joiner, 'comma', 'no rows')
  t.equal(refineJoiner(p10, [['spotify:track:x']]).joiner, 'comma', 'a ragged row without the artist cell')
  t.equal(p10.joiner, 'comma', 'the input dialect is not mutated')
  const refined = refineJoiner(p10, semicolonRows)
  t.same({ ...refined, joiner: 'comma' }, p10, 'only the joiner changes')

  // Dating a file that has no multi-artist row (§2.2: `,` and `"` were deleted from names 2025-05-23 … 09-02).
  const titanic = cells('spotify:track:33LC84JgLvK2KuW43MfaNq,"My Heart Will Go On - Love Theme from ""Titanic""","Let\'s Talk About Love","Céline Dion",1997-11-14,280000,75,false,,2026-02-20T11:35:43Z,"variété française","Columbia"')
  const commaTitle = cells('spotify:track:2orh0fTsNokKCIxZ3c4OIN,"thank u, next","thank u, next","Ariana Grande",2019-02-08,207320,85,true,,2025-10-01T00:00:00Z,"pop",""')
  const commaAlbum = cells('spotify:track:2orh0fTsNokKCIxZ3c4OIN,"x","Yes, And?","Ariana Grande",2024-01-12,214000,85,false,,2025-10-01T00:00:00Z,"pop",""')
  const stripped = cells('spotify:track:2orh0fTsNokKCIxZ3c4OIN,"thank u next","thank u next","KiLLER KiNG(cv. A,B)",2019-02-08,207320,85,true,,2025-07-01T00:00:00Z,"pop",""')
  t.equal(refineJoiner(p10, [titanic]).joiner, 'semicolon', 'P10: a `"` in a track name (real line 19)')
  t.equal(refineJoiner(p10, [commaTitle]).joiner, 'semicolon', 'P10: a `,` in a track name')
  t.equal(refineJoiner(p10, [commaAlbum]).joiner, 'semicolon', 'P10: a `,` in an album name')
  t.equal(refineJoiner(p10, [stripped]).joiner, 'comma', 'P10 from the stripping window: names without `,`/`"`')
  const p8 = detectDialect(`Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Record Label,${FEATURES_EN}`.split(','), [])
  t.equal(refineJoiner(p8, [cells('spotify:track:2orh0fTsNokKCIxZ3c4OIN,"thank u, next","x","A,B",2019,1,0,,2025-04-10T00:00:00Z,"",""')]).joiner, 'comma', 'P8 (no Explicit) kept commas in names: no signal')
  const p11 = detectDialect(`Track URI,ISRC,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Genres,Record Label,${FEATURES_EN}`.split(','), [])
  t.equal(p11.joiner, 'comma', 'detectDialect leaves the joiner to refineJoiner')
  t.equal(refineJoiner(p11, []).joiner, 'semicolon', 'P11 (2026) is always after the switch')

  const p3 = detectDialect(`Spotify ID,Artist IDs,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,${FEATURES_EN}`.split(','), [])
  t.equal(refineJoiner(p3, [['x', 'y', 'z', 'a', 'A;B']]), p3, 'P3 stays `,` even with `;` in a name')
  const w6 = detectDialect(cells(W6_EN), [])
  t.equal(refineJoiner(w6, [['x', 'y', 'z', 'A;B']]), w6, 'watsonbox unchanged')
})

t.test('unknown headers: UnknownHeaderError naming the first cells', async (t) => {
  const cases: Array<[string, string[], string[][], string]> = [
    ['TuneMyMusic', ['Track name', 'Artist name', 'Album', 'Playlist name', 'Type', 'ISRC', 'Spotify - id'], [['BIRDBRAIN', 'Jamie Paige', 'BIRDBRAIN', 'teto', 'Playlist', 'QZTBA2526577', '2DAZakhs7RRCoM6pvLpUEz']],
      'unrecognised header ("Track name", "Artist name", "Album", "Playlist name", …): not an Exportify export'],
    ['four cells: no ellipsis', ['title', 'artist', 'album', 'isrc'], [],
      'unrecognised header ("title", "artist", "album", "isrc"): not an Exportify export'],
    ['cells are trimmed in the message', [' \uFEFFfoo ', 'bar\t'], [],
      'unrecognised header ("foo", "bar"): not an Exportify export'],
    ['a single empty cell', [''], [], 'unrecognised header (""): not an Exportify export'],
    ['Track Name alone', ['Track Name'], [], 'unrecognised header ("Track Name"): not an Exportify export'],
    ['unknown 19-column language but not every row is a Spotify URI',
      Array.from({ length: 19 }, (_, i) => `Kolumna ${i + 1}`),
      [['spotify:track:0QIYINh2AwmOmdu8CRYvlw'], ['https://open.spotify.com/track/0QIYINh2AwmOmdu8CRYvlw']],
      'unrecognised header ("Kolumna 1", "Kolumna 2", "Kolumna 3", "Kolumna 4", …): not an Exportify export'],
    ['unknown language, Spotify URIs, but fewer than 19 columns',
      Array.from({ length: 18 }, (_, i) => `Kolumna ${i + 1}`), [['spotify:track:0QIYINh2AwmOmdu8CRYvlw']],
      'unrecognised header ("Kolumna 1", "Kolumna 2", "Kolumna 3", "Kolumna 4", …): not an Exportify export'],
    ['unknown language, header only (no rows to sniff)', Array.from({ length: 19 }, (_, i) => `Kolumna ${i + 1}`), [],
      'unrecognised header ("Kolumna 1", "Kolumna 2", "Kolumna 3", "Kolumna 4", …): not an Exportify export']
  ]
  for (const [label, header, sample, message] of cases) {
    const err = detectError(header, sample)
    t.ok(err instanceof UnknownHeaderError, `${label}: UnknownHeaderError`)
    t.equal(err.name, 'UnknownHeaderError', label)
    t.equal(err.message, message, label)
  }
})

// A made-up translation standing in for a language added after our table.
const POLISH = ['URI utworu', 'Nazwa utworu', 'URI wykonawcy', 'Nazwa wykonawcy', 'URI albumu', 'Nazwa albumu', 'URI wykonawcy albumu', 'Nazwa wykonawcy albumu', 'Data wydania albumu', 'URL obrazu albumu', 'Numer dysku', 'Numer utworu', 'Czas trwania utworu (ms)', 'URL podglądu utworu', 'Wulgarny', 'Popularność', 'ISRC', 'Dodane przez', 'Dodane']

t.test('an unknown language whose rows start with spotify:track/local/episode → positional watsonbox', async (t) => {
  const sample = [
    cells('"spotify:track:0QIYINh2AwmOmdu8CRYvlw","Bonfire","spotify:artist:2DuJi13MWHjRHrqRUwk8vH","Knife Party","spotify:album:2KZKR8bLDZPUxOE6JhTh4X","Rage Valley","spotify:artist:2DuJi13MWHjRHrqRUwk8vH","Knife Party","2012","https://i.scdn.co/image/ab67616d0000b273303ae66195b6feba7022698b","1","3","272077","","false","63","GBAHT1200225","spotify:user:sebastianelisapfeifer","2019-04-02T14:13:24Z"'),
    cells('"spotify:local:DJ+Maxwell:Loituma:Loituma:327","Loituma","","DJ Maxwell","","Loituma","","","","","0","0","327000","","false","0","","spotify:user:sebastianelisapfeifer","2021-04-07T09:19:38Z"'),
    cells('"spotify:episode:512ojhOuo1ktJprKbVcKyQ","Episode 1","","","","","","","2020-01-01","","0","0","3600000","","false","0","","",""')
  ]
  // The `ISRC` cell is known by name, so the header is not entirely foreign; no name-based dialect matches it.
  const d = detectDialect(POLISH, sample)
  checkDialect(t, 'positional', d, { name: 'watsonbox', joiner: 'comma-space-escaped', headerLength: 19, features: null, columns: W6_COLUMNS })
  t.equal(sample[0]![d.columns.addedBy!], 'spotify:user:sebastianelisapfeifer')
  t.equal(sample[0]![d.columns.addedAt!], '2019-04-02T14:13:24Z')

  const extra = detectDialect([...POLISH, 'Gatunki wykonawcy', ' Taneczność '], sample)
  t.equal(extra.name, 'watsonbox')
  t.equal(extra.headerLength, 21)
  t.same(extra.unknown, [{ index: 19, header: 'Gatunki wykonawcy' }, { index: 20, header: 'Taneczność' }], 'columns past the 19 base ones are kept as unknown')
})

t.todo('positional watsonbox: the 2024 Is-Playable variant (column 18 holds true/false) should shift Added By/At by one (§3.4 practical rule)', async (t) => {
  const header = [...POLISH.slice(0, 17), 'Odtwarzalny', ...POLISH.slice(17)]
  const row = cells('"spotify:track:0QIYINh2AwmOmdu8CRYvlw","Bonfire","spotify:artist:2DuJi13MWHjRHrqRUwk8vH","Knife Party","spotify:album:2KZKR8bLDZPUxOE6JhTh4X","Rage Valley","spotify:artist:2DuJi13MWHjRHrqRUwk8vH","Knife Party","2012","","1","3","272077","","false","63","GBAHT1200225","true","spotify:user:x","2024-08-30T14:13:24Z"')
  const d = detectDialect(header, [row])
  t.equal(d.columns.isPlayable, 17)
  t.equal(d.columns.addedBy, 18)
  t.equal(d.columns.addedAt, 19)
})

t.todo('positional watsonbox: option groups after the 19 base columns (12 numeric cells = audio features) are mapped, not left unknown (§3.4)', async (t) => {
  const header = [...POLISH, ...Array.from({ length: 12 }, (_, i) => `Cecha ${i + 1}`)]
  const row = [...cells('"spotify:track:0QIYINh2AwmOmdu8CRYvlw","Bonfire","","Knife Party","","Rage Valley","","","2012","","1","3","272077","","false","63","","",""'), '0.5', '0.8', '1', '-5.2', '1', '0.05', '0.01', '0.9', '0.1', '0.3', '128', '4']
  const d = detectDialect(header, [row])
  t.same(AUDIO_FEATURE_NAMES.map(f => d.columns[f]), AUDIO_FEATURE_NAMES.map((_, i) => 19 + i))
})
