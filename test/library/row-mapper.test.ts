import t from 'tap'
import { parseCsv } from '../../src/library/csv-reader.js'
import { detectDialect, refineJoiner, type Dialect } from '../../src/library/headers.js'
import { RowError } from '../../src/library/cells.js'
import { mapRow, splitArtists, type MappedRow } from '../../src/library/row-mapper.js'
import type { AudioFeatures, LibraryTrack } from '../../src/library/types.js'

// ── Headers (docs/exportify.md §2.1, §3.1, §3.4) ─────────────────────────────────────────
const FEATURES = 'Danceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature'
const H = {
  W1: 'Spotify URI,Track Name,Artist Name,Album Name,Disc Number,Track Number,Track Duration (ms),Added By,Added At',
  W3: '"Track URI","Track Name","Artist URI","Artist Name","Album URI","Album Name","Album Release Date","Disc Number","Track Number","Track Duration (ms)","Explicit","Popularity","Added By","Added At"',
  W6: '"Track URI","Track Name","Artist URI(s)","Artist Name(s)","Album URI","Album Name","Album Artist URI(s)","Album Artist Name(s)","Album Release Date","Album Image URL","Disc Number","Track Number","Track Duration (ms)","Track Preview URL","Explicit","Popularity","ISRC","Added By","Added At"',
  W6DE: '"Track-URI","Track-Name","Künstler-URI(s)","Künstlername(n)","Album-URI","Album-Name","Album-Künstler-URI(s)","Album-Künstlername(n)","Veröffentlichungsdatum des Albums","Album-Bild-URL","Disc-Nummer","Track-Nummer","Track-Dauer (ms)","Track-Vorschau-URL","Explizit","Beliebtheit","ISRC","Hinzugefügt von","Hinzugefügt am"',
  P3: `Spotify ID,Artist IDs,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,${FEATURES}`,
  P4: `Spotify ID,Artist IDs,Track Name,Album ID,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Label,Total Album Tracks,Album Type,${FEATURES}`,
  P5: `Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Record Label,${FEATURES}`,
  P6: `Track ID,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Record Label,\t\t\t\t${FEATURES}`,
  P10: `Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Genres,Record Label,${FEATURES}`,
  P11: `Track URI,ISRC,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Genres,Record Label,${FEATURES}`
}

// ── Real rows, copied from test/fixtures/exportify-real/ (file: line) ────────────────────────
const REAL = {
  // watsonbox-2015to2020_legacy-…_your_top_songs_2018.csv
  w1Line2: '"spotify:track:5e0vfjC19908HLerbfbEkv","Red Flags And Long Nights","She Wants Revenge","She Wants Revenge","1","1","308986","spotify:user:","2018-12-24T11:22:14Z"',
  w1Line40: '"spotify:track:7uQekeEOVeXWtPEaL3IlCU","The Rite of Spring, Pt. 1 "Adoration of the Earth": II. The Augurs of Spring - Dances of the Young Girls","Igor Stravinsky, Park Avenue Chamber Symphony, David Bernard","Stravinsky: The Rite of Spring & The Firebird Suite","1","2","190466","spotify:user:","2018-12-24T11:22:14Z"',
  // watsonbox-2022plus_en-19col-isrc_liked.csv
  w6Line2: '"spotify:track:3AK7BhcFM7pyRo5ggu8ido","Tình Bạn Diệu Kỳ","spotify:artist:4jQZaxfgwiUJFQagCyZNV4, spotify:artist:2aQnC3DbZB9GbauvhAw7ve, spotify:artist:0EOMdQwzUG6CKh9oWvcANr","Ricky Star, AMEE, Lăng LD","spotify:album:5nguViugbVFvI9y562zEC9","Tình Bạn Diệu Kỳ","spotify:artist:4jQZaxfgwiUJFQagCyZNV4, spotify:artist:2aQnC3DbZB9GbauvhAw7ve, spotify:artist:0EOMdQwzUG6CKh9oWvcANr","Ricky Star, AMEE, Lăng LD","2021-02-23","https://i.scdn.co/image/ab67616d0000b2738f68dab43ed8b4a2da7f6490","1","1","203666","https://p.scdn.co/mp3-preview/963cf0438425b6b7e983fa6d1f8ba6f68c95b372?cid=9950ac751e34487dbbe027c4fd7f8e99","false","38","TBDK24012022","","2026-01-30T09:23:46Z"',
  w6Line89: '"spotify:track:5fi0Z2Bj9kRTziW7RCl4yi","Vào Đời","spotify:artist:0IMvyEWySP665zddlejaSm","Quang Vinh","spotify:album:4fpp8FXllQEMAkZBuEkv8O","Vào Đời","spotify:artist:0IMvyEWySP665zddlejaSm","Quang Vinh","2003","https://i.scdn.co/image/ab67616d0000b273e434556212a78f814f4e087c","1","1","255895","","false","14","SGUM72100710","","2026-01-27T17:11:53Z"',
  w6Line266: '"spotify:track:6WEIRgrkksL71XJ892pov4","Que sera sera","spotify:artist:4XoB7TkH2xH6NuGhg8pVNE","KiLLER KiNG(cv. Kotaro Nishiyama\\,Taku Yashiro\\,Shoya Chiba\\,Takuya Eguchi )","spotify:album:2UJ78b1VKDxNksoPGuUwqc","10byo mirai","spotify:artist:4XoB7TkH2xH6NuGhg8pVNE","KiLLER KiNG(cv. Kotaro Nishiyama\\,Taku Yashiro\\,Shoya Chiba\\,Takuya Eguchi )","2019-11-13","https://i.scdn.co/image/ab67616d0000b2736dc8a0b539c2dd4ab4f32da3","1","2","244720","https://p.scdn.co/mp3-preview/2ac9c4a1eb0e651c418a19c3c96f397c001c7f7f?cid=9950ac751e34487dbbe027c4fd7f8e99","false","6","JPK631907002","","2026-01-06T18:11:49Z"',
  // watsonbox-2024plus_de-localized-19col-local-files_utz_utz_utz.csv
  deLine2: '"spotify:track:0QIYINh2AwmOmdu8CRYvlw","Bonfire","spotify:artist:2DuJi13MWHjRHrqRUwk8vH","Knife Party","spotify:album:2KZKR8bLDZPUxOE6JhTh4X","Rage Valley","spotify:artist:2DuJi13MWHjRHrqRUwk8vH","Knife Party","2012","https://i.scdn.co/image/ab67616d0000b273303ae66195b6feba7022698b","1","3","272077","https://p.scdn.co/mp3-preview/546fe77c555db3f00f644b62ad9cc6357dd4e5fd?cid=9950ac751e34487dbbe027c4fd7f8e99","false","63","GBAHT1200225","spotify:user:sebastianelisapfeifer","2019-04-02T14:13:24Z"',
  deLine39: '"spotify:local:Turbo:Eurobeat:Gimme%21+Gimme%21+Gimme%21+Eurobeat+Remix:241","Gimme! Gimme! Gimme! Eurobeat Remix","","Turbo","","Eurobeat","","","","","0","0","241000","","false","0","","spotify:user:sebastianelisapfeifer","2020-08-09T19:15:12Z"',
  deLine49: '"spotify:local:DJ+Maxwell:Loituma:Loituma:327","Loituma","","DJ Maxwell","","Loituma","","","","","0","0","327000","","false","0","","spotify:user:sebastianelisapfeifer","2021-04-07T09:19:38Z"',
  // pavelkomarov-2019to2024_spotify-id-artist-ids-ragged-row_lagos_jump_.csv
  p3Line2: '4oZRdDmetYCOI1qwaHeSzH,"36gl2NBJNRaQakdS4fTKGW","Lagos Love","Lagos Love","Ajebutter22",2019-03-01,181818,34,spotify:user:seankmchenry,2022-06-03T16:10:56Z,"afro dancehall,afropop,azonto,nigerian hip hop,nigerian pop",0.849,0.531,4,-9.618,0,0.0624,0.548,0.0324,0.0893,0.521,99.021,4',
  p3Line3: '4J2FVm51cMZ4nV36otIyUI,"36gl2NBJNRaQakdS4fTKGW,4qYpTEJThZ8FC8KzyFrSWW","24","Make E No Cause Fight","Ajebutter22,Boj",2018-05-18,187036,36,spotify:user:seankmchenry,2022-06-03T16:10:56Z,"afro dancehall,afropop,azonto,nigerian hip hop,nigerian pop,alte",0.87,0.633,5,-5.066,0,0.0991,0.491,0.0645,0.0916,0.69,103.987,4',
  p3Line54: '5g8e0DVT296yBxSbL0EMpr,"0XqLMMiljB30SqHKV9PYsD,36gl2NBJNRaQakdS4fTKGW,4qYpTEJThZ8FC8KzyFrSWW","Damiloun","Palmwine Music 2","Show Dem Camp,Ajebutter22,Boj",2018-10-15,257153,30,spotify:user:seankmchenry,2022-06-03T16:11:03Z,"afro dancehall,afropop,alte,nigerian hip hop,nigerian pop,azonto"',
  // pavelkomarov-2024-09to12_track-id-tabs-in-header_your_top_songs_2023.csv
  p6Line2: '4D7q0QQi67dZS4oJTgcT1L,"7 Palms","Every Island","Danny Heines",1992-01-01,373400,2,,1970-01-01T00:00:00Z,"","Silver Wave Records",0.359,0.154,7,-19.505,1,0.0293,0.393,0.564,0.187,0.132,155.604,1',
  p6Line19: '2p93BGioIagS0sMhY0ETPD,"ORANGE IN DREAM","太陽の南","Hajime Mizoguchi",1991,284200,0,,1970-01-01T00:00:00Z,"anime score","Sony Music Direct (Japan) Inc.",0.663,0.537,2,-14.914,1,0.0427,0.129,0.378,0.17,0.645,90.907,4',
  // pavelkomarov-2025-09plus_track-uri-semicolon-artists-bom_Liked_Songs.csv
  p10Line2: 'spotify:track:3b6RZmPmYzg2mRyfoIznYS,"福气马上来","福气马上来","1119",2025-12-12,195717,65,false,,2026-03-10T13:44:11Z,"","1119",0.729,0.954,1,-4.183,1,0.126,0.218,0,0.127,0.955,143.021,4',
  p10Line3: 'spotify:track:2orh0fTsNokKCIxZ3c4OIN,"Nghe Nói Anh Sắp Kết Hôn (feat. Bùi Anh Tuấn)","Nghe Nói Anh Sắp Kết Hôn (feat. Bùi Anh Tuấn)","Văn Mai Hương;Bùi Anh Tuấn",2019-10-24,265161,33,false,,2026-03-09T11:29:31Z,"v-pop,hip hop việt nam,vinahouse,indie việt","NCT Corporation",0.224,0.458,2,-5.796,1,0.0334,0.631,0.0000337,0.0733,0.254,185.589,3',
  p10Line19: 'spotify:track:33LC84JgLvK2KuW43MfaNq,"My Heart Will Go On - Love Theme from ""Titanic""","Let\'s Talk About Love","Céline Dion",1997-11-14,280000,75,false,,2026-02-20T11:35:43Z,"variété française","Columbia",0.428,0.276,4,-11.729,1,0.0312,0.732,0.00000533,0.117,0.0382,99.195,1',
  p10Line43: 'spotify:track:3psAQ1awCaeCrXVERSObxk,"自由気儘な魂が誇る愚者の王(自任)(但し天命のキャプテン)","The King of Wayward Souls(Self Proclaimed)(But Destined)(Original Game Soundtrack)","Wuthering Waves;Adam Gubman;鴉紋ゆうく",2025-03-18,224731,26,false,,2026-02-12T13:52:35Z,"nhạc phim","KURO GAMES",0.283,0.825,8,-6.774,1,0.05,0.0541,0,0.15,0.536,186.7,3',
  p10Line512: 'spotify:track:6WEIRgrkksL71XJ892pov4,"Que sera sera","10byo mirai","KiLLER KiNG(cv. Kotaro Nishiyama,Taku Yashiro,Shoya Chiba,Takuya Eguchi )",2019-11-13,244720,6,false,,2026-01-06T18:11:49Z,"","MAGES",0.596,0.932,6,-3.865,0,0.0841,0.00507,0,0.297,0.895,136.007,4'
}

// ── Helpers ──────────────────────────────────────────────────────────────────────────────────
function cellsOf (line: string): string[] {
  const { records, problems } = parseCsv(line + '\n', ',')
  if (problems.length > 0 || records.length !== 1) throw new Error(`test row does not parse: ${line}`)
  return records[0]!.cells
}

/** The importer's path: header + data rows → refined dialect. */
function dialect (header: string, rows: string[] = []): Dialect {
  const data = rows.map(cellsOf)
  return refineJoiner(detectDialect(cellsOf(header), data.slice(0, 20)), data)
}

function map (header: string, line: string, rows: string[] = [line]): MappedRow {
  return mapRow(cellsOf(line), dialect(header, rows))
}

function rowError (fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a RowError')
}

function features (...v: number[]): AudioFeatures {
  const [danceability, energy, key, loudness, mode, speechiness, acousticness, instrumentalness, liveness, valence, tempo, signature] = v as [number, number, number, number, number, number, number, number, number, number, number, number]
  return { danceability, energy, key, loudness, mode, speechiness, acousticness, instrumentalness, liveness, valence, tempo, time_signature: signature }
}

type TrackOverrides = Omit<Partial<LibraryTrack>, 'album'> & { album?: Partial<LibraryTrack['album']> }
function track (o: TrackOverrides): LibraryTrack {
  const artists = o.artists ?? []
  return {
    key: '',
    kind: 'track',
    id: null,
    uri: null,
    name: '',
    discNumber: null,
    trackNumber: null,
    durationMs: null,
    explicit: null,
    popularity: null,
    isrc: null,
    previewUrl: null,
    genres: [],
    features: null,
    extra: {},
    ...o,
    artists,
    album: { id: null, name: '', releaseDate: null, releaseDatePrecision: null, imageUrl: null, artists, albumType: null, totalTracks: null, label: null, ...o.album }
  }
}

// ── Tests ────────────────────────────────────────────────────────────────────────────────────
t.test('a representative real row of each dialect, mapped in full', async (t) => {
  const cases: Array<[string, MappedRow, MappedRow]> = [
    ['watsonbox-legacy W1 line 40 (unescaped quotes, `, `-joined artists, Added By `spotify:user:`)',
      map(H.W1, REAL.w1Line40),
      {
        track: track({
          key: '7uQekeEOVeXWtPEaL3IlCU',
          id: '7uQekeEOVeXWtPEaL3IlCU',
          uri: 'spotify:track:7uQekeEOVeXWtPEaL3IlCU',
          name: 'The Rite of Spring, Pt. 1 "Adoration of the Earth": II. The Augurs of Spring - Dances of the Young Girls',
          artists: [{ id: null, name: 'Igor Stravinsky' }, { id: null, name: 'Park Avenue Chamber Symphony' }, { id: null, name: 'David Bernard' }],
          album: { name: 'Stravinsky: The Rite of Spring & The Firebird Suite' },
          discNumber: 1,
          trackNumber: 2,
          durationMs: 190466
        }),
        addedAt: '2018-12-24T11:22:14Z',
        addedBy: null
      }],
    ['watsonbox W6 English line 2 (artist URIs, album URI, image, preview, ISRC, empty Added By)',
      map(H.W6, REAL.w6Line2),
      {
        track: track({
          key: '3AK7BhcFM7pyRo5ggu8ido',
          id: '3AK7BhcFM7pyRo5ggu8ido',
          uri: 'spotify:track:3AK7BhcFM7pyRo5ggu8ido',
          name: 'Tình Bạn Diệu Kỳ',
          artists: [{ id: '4jQZaxfgwiUJFQagCyZNV4', name: 'Ricky Star' }, { id: '2aQnC3DbZB9GbauvhAw7ve', name: 'AMEE' }, { id: '0EOMdQwzUG6CKh9oWvcANr', name: 'Lăng LD' }],
          album: {
            id: '5nguViugbVFvI9y562zEC9',
            name: 'Tình Bạn Diệu Kỳ',
            releaseDate: '2021-02-23',
            releaseDatePrecision: 'day',
            imageUrl: 'https://i.scdn.co/image/ab67616d0000b2738f68dab43ed8b4a2da7f6490'
          },
          discNumber: 1,
          trackNumber: 1,
          durationMs: 203666,
          explicit: false,
          popularity: 38,
          isrc: 'TBDK24012022',
          previewUrl: 'https://p.scdn.co/mp3-preview/963cf0438425b6b7e983fa6d1f8ba6f68c95b372?cid=9950ac751e34487dbbe027c4fd7f8e99'
        }),
        addedAt: '2026-01-30T09:23:46Z',
        addedBy: null
      }],
    ['watsonbox W6 German line 39 (local file)',
      map(H.W6DE, REAL.deLine39),
      {
        track: track({
          key: 'spotify:local:Turbo:Eurobeat:Gimme%21+Gimme%21+Gimme%21+Eurobeat+Remix:241',
          kind: 'local',
          uri: 'spotify:local:Turbo:Eurobeat:Gimme%21+Gimme%21+Gimme%21+Eurobeat+Remix:241',
          name: 'Gimme! Gimme! Gimme! Eurobeat Remix',
          artists: [{ id: null, name: 'Turbo' }],
          album: { name: 'Eurobeat' },
          discNumber: 0,
          trackNumber: 0,
          durationMs: 241000,
          explicit: false,
          popularity: 0
        }),
        addedAt: '2020-08-09T19:15:12Z',
        addedBy: 'sebastianelisapfeifer'
      }],
    ['pavelkomarov-ids P3 line 3 (Artist IDs, genres, features, Added By URI)',
      map(H.P3, REAL.p3Line3),
      {
        track: track({
          key: '4J2FVm51cMZ4nV36otIyUI',
          id: '4J2FVm51cMZ4nV36otIyUI',
          uri: 'spotify:track:4J2FVm51cMZ4nV36otIyUI',
          name: '24',
          artists: [{ id: '36gl2NBJNRaQakdS4fTKGW', name: 'Ajebutter22' }, { id: '4qYpTEJThZ8FC8KzyFrSWW', name: 'Boj' }],
          album: { name: 'Make E No Cause Fight', releaseDate: '2018-05-18', releaseDatePrecision: 'day' },
          durationMs: 187036,
          popularity: 36,
          genres: ['afro dancehall', 'afropop', 'azonto', 'nigerian hip hop', 'nigerian pop', 'alte'],
          features: features(0.87, 0.633, 5, -5.066, 0, 0.0991, 0.491, 0.0645, 0.0916, 0.69, 103.987, 4)
        }),
        addedAt: '2022-06-03T16:10:56Z',
        addedBy: 'seankmchenry'
      }],
    ['pavelkomarov-track-id P6 line 2 (TAB header, label, 1970 Added At, empty genres)',
      map(H.P6, REAL.p6Line2),
      {
        track: track({
          key: '4D7q0QQi67dZS4oJTgcT1L',
          id: '4D7q0QQi67dZS4oJTgcT1L',
          uri: 'spotify:track:4D7q0QQi67dZS4oJTgcT1L',
          name: '7 Palms',
          artists: [{ id: null, name: 'Danny Heines' }],
          album: { name: 'Every Island', releaseDate: '1992-01-01', releaseDatePrecision: 'day', label: 'Silver Wave Records' },
          durationMs: 373400,
          popularity: 2,
          features: features(0.359, 0.154, 7, -19.505, 1, 0.0293, 0.393, 0.564, 0.187, 0.132, 155.604, 1)
        }),
        addedAt: '1970-01-01T00:00:00Z',
        addedBy: null
      }],
    ['pavelkomarov-uri P10 line 3 (`;` artists, Explicit, tiny float)',
      map(H.P10, REAL.p10Line3),
      {
        track: track({
          key: '2orh0fTsNokKCIxZ3c4OIN',
          id: '2orh0fTsNokKCIxZ3c4OIN',
          uri: 'spotify:track:2orh0fTsNokKCIxZ3c4OIN',
          name: 'Nghe Nói Anh Sắp Kết Hôn (feat. Bùi Anh Tuấn)',
          artists: [{ id: null, name: 'Văn Mai Hương' }, { id: null, name: 'Bùi Anh Tuấn' }],
          album: { name: 'Nghe Nói Anh Sắp Kết Hôn (feat. Bùi Anh Tuấn)', releaseDate: '2019-10-24', releaseDatePrecision: 'day', label: 'NCT Corporation' },
          durationMs: 265161,
          explicit: false,
          popularity: 33,
          genres: ['v-pop', 'hip hop việt nam', 'vinahouse', 'indie việt'],
          features: features(0.224, 0.458, 2, -5.796, 1, 0.0334, 0.631, 0.0000337, 0.0733, 0.254, 185.589, 3)
        }),
        addedAt: '2026-03-09T11:29:31Z',
        addedBy: null
      }]
  ]
  for (const [label, got, want] of cases) t.same(got, want, label)
})

t.test('more real rows: key fields', async (t) => {
  const cases: Array<[string, MappedRow, Partial<Record<'key' | 'name' | 'artists' | 'album' | 'addedBy' | 'genres' | 'kind', unknown>>]> = [
    ['W1 line 2', map(H.W1, REAL.w1Line2), { key: '5e0vfjC19908HLerbfbEkv', name: 'Red Flags And Long Nights', artists: ['She Wants Revenge'], addedBy: null }],
    ['W6 line 89 (one artist, year-only date)', map(H.W6, REAL.w6Line89), { key: '5fi0Z2Bj9kRTziW7RCl4yi', artists: ['Quang Vinh'], album: ['Vào Đời', '2003', 'year'] }],
    ['German W6 line 2', map(H.W6DE, REAL.deLine2), { key: '0QIYINh2AwmOmdu8CRYvlw', artists: ['Knife Party'], album: ['Rage Valley', '2012', 'year'], addedBy: 'sebastianelisapfeifer' }],
    ['German W6 line 49 (local)', map(H.W6DE, REAL.deLine49), { key: 'spotify:local:DJ+Maxwell:Loituma:Loituma:327', kind: 'local', artists: ['DJ Maxwell'] }],
    ['P3 line 2', map(H.P3, REAL.p3Line2), { key: '4oZRdDmetYCOI1qwaHeSzH', artists: ['Ajebutter22'], addedBy: 'seankmchenry' }],
    ['P6 line 19 (year-only date)', map(H.P6, REAL.p6Line19), { key: '2p93BGioIagS0sMhY0ETPD', name: 'ORANGE IN DREAM', album: ['太陽の南', '1991', 'year'], genres: ['anime score'] }],
    ['P10 line 2 (CJK)', map(H.P10, REAL.p10Line2), { key: '3b6RZmPmYzg2mRyfoIznYS', name: '福气马上来', artists: ['1119'], genres: [] }],
    ['P10 line 19 (doubled quotes)', map(H.P10, REAL.p10Line19), { name: 'My Heart Will Go On - Love Theme from "Titanic"', artists: ['Céline Dion'], album: ['Let\'s Talk About Love', '1997-11-14', 'day'] }],
    ['P10 line 43 (localized genre, three `;` artists)', map(H.P10, REAL.p10Line43), { artists: ['Wuthering Waves', 'Adam Gubman', '鴉紋ゆうく'], genres: ['nhạc phim'] }]
  ]
  for (const [label, got, want] of cases) {
    const tr = got.track
    if ('key' in want) t.equal(tr.key, want.key, `${label}: key`)
    if ('kind' in want) t.equal(tr.kind, want.kind, `${label}: kind`)
    if ('name' in want) t.equal(tr.name, want.name, `${label}: name`)
    if ('artists' in want) t.same(tr.artists.map(a => a.name), want.artists, `${label}: artists`)
    if ('album' in want) t.same([tr.album.name, tr.album.releaseDate, tr.album.releaseDatePrecision], want.album, `${label}: album`)
    if ('genres' in want) t.same(tr.genres, want.genres, `${label}: genres`)
    if ('addedBy' in want) t.equal(got.addedBy, want.addedBy, `${label}: addedBy`)
  }
})

t.test('P4 (Album ID, Label, Total Album Tracks, Album Type) and P11 (ISRC)', async (t) => {
  const p4 = map(H.P4, '4oZRdDmetYCOI1qwaHeSzH,"36gl2NBJNRaQakdS4fTKGW","Lagos Love","5nguViugbVFvI9y562zEC9","Lagos Love","Ajebutter22",2019-03-01,181818,34,spotify:user:seankmchenry,2024-09-02T16:10:56Z,"afropop","Ajebutter22 Music",12,"ALBUM",0.849,0.531,4,-9.618,0,0.0624,0.548,0.0324,0.0893,0.521,99.021,4').track
  t.same(p4.album, {
    id: '5nguViugbVFvI9y562zEC9',
    name: 'Lagos Love',
    releaseDate: '2019-03-01',
    releaseDatePrecision: 'day',
    imageUrl: null,
    artists: [{ id: '36gl2NBJNRaQakdS4fTKGW', name: 'Ajebutter22' }],
    albumType: 'album',
    totalTracks: 12,
    label: 'Ajebutter22 Music'
  })
  t.equal(p4.features?.tempo, 99.021)
  const badAlbumId = map(H.P4, '4oZRdDmetYCOI1qwaHeSzH,"","x","not-an-id","a","b",2019,1,0,,2024-09-02T16:10:56Z,"","",,"single"').track
  t.equal(badAlbumId.album.id, null, 'an Album ID that is not base62×22 is dropped')
  t.equal(badAlbumId.album.totalTracks, null, 'an empty track total is null')
  t.equal(rowError(() => map(H.P4, '4oZRdDmetYCOI1qwaHeSzH,"","x","not-an-id","a","b",2019,1,0,,2024-09-02T16:10:56Z,"","",x,"single"')).message,
    'Total Album Tracks "x" is not a number', 'a word for the track total rejects the row')

  const p11 = map(H.P11, 'spotify:track:3b6RZmPmYzg2mRyfoIznYS,CNF112500123,"福气马上来","福气马上来","1119",2025-12-12,195717,65,true,owner_id,2026-04-10T13:44:11Z,"","1119",0.729,0.954,1,-4.183,1,0.126,0.218,0,0.127,0.955,143.021,4')
  t.equal(p11.track.isrc, 'CNF112500123')
  t.equal(p11.track.explicit, true)
  t.equal(p11.addedBy, 'owner_id', 'P5+ write the bare user id')
  t.equal(p11.track.features?.instrumentalness, 0)
})

t.test('splitArtists per joiner', async (t) => {
  const cases: Array<[Dialect['joiner'], string, string[]]> = [
    ['comma', '', []],
    ['comma', 'Ajebutter22', ['Ajebutter22']],
    ['comma', 'Dr. Dre,Snoop Dogg', ['Dr. Dre', 'Snoop Dogg']],
    ['comma', 'Tyler, The Creator', ['Tyler, The Creator']],
    ['comma', 'Tyler, The Creator,Kali Uchis', ['Tyler, The Creator', 'Kali Uchis']],
    ['comma', '10,000 Maniacs', ['10', '000 Maniacs']], // re-merged by the Artist IDs count
    ['comma', 'A,,B,', ['A', 'B']],
    ['semicolon', 'Văn Mai Hương;Bùi Anh Tuấn', ['Văn Mai Hương', 'Bùi Anh Tuấn']],
    ['semicolon', 'KiLLER KiNG(cv. Kotaro Nishiyama,Taku Yashiro,Shoya Chiba,Takuya Eguchi )', ['KiLLER KiNG(cv. Kotaro Nishiyama,Taku Yashiro,Shoya Chiba,Takuya Eguchi )']],
    ['semicolon', '10,000 Maniacs;Tyler, The Creator', ['10,000 Maniacs', 'Tyler, The Creator']],
    ['semicolon', 'A;;B;', ['A', 'B']],
    ['comma-space', 'Igor Stravinsky, Park Avenue Chamber Symphony, David Bernard', ['Igor Stravinsky', 'Park Avenue Chamber Symphony', 'David Bernard']],
    ['comma-space', 'Dr. Dre,Snoop Dogg', ['Dr. Dre,Snoop Dogg']],
    ['comma-space-escaped', 'Ricky Star, AMEE, Lăng LD', ['Ricky Star', 'AMEE', 'Lăng LD']],
    ['comma-space-escaped', 'KiLLER KiNG(cv. Kotaro Nishiyama\\,Taku Yashiro\\,Shoya Chiba\\,Takuya Eguchi )', ['KiLLER KiNG(cv. Kotaro Nishiyama,Taku Yashiro,Shoya Chiba,Takuya Eguchi )']],
    ['comma-space-escaped', 'Earth\\, Wind & Fire, The Emotions', ['Earth, Wind & Fire', 'The Emotions']],
    ['comma-space-escaped', 'Tyler\\, The Creator', ['Tyler, The Creator']]
  ]
  for (const [joiner, cell, want] of cases) t.same(splitArtists(cell, joiner), want, `${joiner}: ${JSON.stringify(cell)}`)
})

t.test('artists paired with ids; the id count decides the artist count', async (t) => {
  const p3 = (ids: string, names: string): string =>
    `4oZRdDmetYCOI1qwaHeSzH,"${ids}","T","A","${names}",2019,1000,0,,2022-06-03T16:10:56Z,""`
  const p8 = (names: string): string => `spotify:track:4oZRdDmetYCOI1qwaHeSzH,"T","A","${names}",2019,1000,0,false,,2025-05-01T00:00:00Z,"",""`
  const ID1 = '36gl2NBJNRaQakdS4fTKGW'
  const ID2 = '4qYpTEJThZ8FC8KzyFrSWW'
  const cases: Array<[string, MappedRow, Array<[string | null, string]>]> = [
    ['P3: one id per name', map(H.P3, p3(`${ID1},${ID2}`, 'Ajebutter22,Boj')), [[ID1, 'Ajebutter22'], [ID2, 'Boj']]],
    ['P3: "10,000 Maniacs" with one id is re-merged', map(H.P3, p3(ID1, '10,000 Maniacs')), [[ID1, '10,000 Maniacs']]],
    ['P3: "10,000 Maniacs,Michael Stipe" with two ids', map(H.P3, p3(`${ID1},${ID2}`, '10,000 Maniacs,Michael Stipe')), [[ID1, '10,000 Maniacs'], [ID2, 'Michael Stipe']]],
    ['P3: "Tyler, The Creator,Kali Uchis" with two ids', map(H.P3, p3(`${ID1},${ID2}`, 'Tyler, The Creator,Kali Uchis')), [[ID1, 'Tyler, The Creator'], [ID2, 'Kali Uchis']]],
    ['P3: a local file: empty Artist IDs', map(H.P3, p3('', 'DJ Maxwell')), [[null, 'DJ Maxwell']]],
    ['P3: a malformed id is null, its name kept', map(H.P3, p3(`${ID1},bogus`, 'A,B')), [[ID1, 'A'], [null, 'B']]],
    ['P8 (comma joiner, no ids): "Tyler, The Creator" stays one name', map(H.P10, p8('Tyler, The Creator')), [[null, 'Tyler, The Creator']]],
    ['P8: "Dr. Dre,Snoop Dogg"', map(H.P10, p8('Dr. Dre,Snoop Dogg')), [[null, 'Dr. Dre'], [null, 'Snoop Dogg']]],
    ['P10 after 2025-09 (`;` seen in another row of the file): commas inside a name kept', map(H.P10, REAL.p10Line512, [REAL.p10Line2, REAL.p10Line3, REAL.p10Line512]), [[null, 'KiLLER KiNG(cv. Kotaro Nishiyama,Taku Yashiro,Shoya Chiba,Takuya Eguchi )']]],
    ['W6 line 266: `\\,` escapes, one Artist URI', map(H.W6, REAL.w6Line266), [['4XoB7TkH2xH6NuGhg8pVNE', 'KiLLER KiNG(cv. Kotaro Nishiyama,Taku Yashiro,Shoya Chiba,Takuya Eguchi )']]],
    ['W3 (singular "Artist URI" header, `, `-joined URIs)',
      map(H.W3, `"spotify:track:4oZRdDmetYCOI1qwaHeSzH","T","spotify:artist:${ID1}, spotify:artist:${ID2}","Earth\\, Wind & Fire, The Emotions","spotify:album:5nguViugbVFvI9y562zEC9","A","1979","1","1","215000","false","70","spotify:user:x","2020-12-01T00:00:00Z"`),
      [[ID1, 'Earth, Wind & Fire'], [ID2, 'The Emotions']]],
    ['W6: a non-artist URI in Artist URI(s) gives a null id',
      map(H.W6, `"spotify:track:4oZRdDmetYCOI1qwaHeSzH","T","spotify:album:${ID1}","X","","A","","","","","1","1","1000","","false","0","","",""`),
      [[null, 'X']]]
  ]
  for (const [label, got, want] of cases) t.same(got.track.artists.map(a => [a.id, a.name]), want, label)

  const w266 = map(H.W6, REAL.w6Line266).track
  t.same(w266.album.artists, w266.artists, 'W6 album artists from their own columns, `\\,` unescaped too')
  t.equal(w266.album.id, '2UJ78b1VKDxNksoPGuUwqc')
  const w6 = map(H.W6, `"spotify:track:4oZRdDmetYCOI1qwaHeSzH","Tribute","spotify:artist:${ID1}, spotify:artist:${ID2}","A, B","spotify:album:5nguViugbVFvI9y562zEC9","Comp","spotify:artist:0LyfQWJT6nXafLPZqxe9Of","Various Artists","2020","","1","1","1000","","false","0","","",""`).track
  t.same(w6.album.artists, [{ id: '0LyfQWJT6nXafLPZqxe9Of', name: 'Various Artists' }], 'album artists differ from track artists')
})

t.test('release date precision', async (t) => {
  const cases: Array<[string, string | null, string | null]> = [
    ['2019-03-01', '2019-03-01', 'day'],
    ['2018-05', '2018-05', 'month'],
    ['1991', '1991', 'year'],
    ['', null, null],
    ['undefined', null, null],
    ['10/24/2019', null, null], // Excel re-save
    ['24.10.2019', null, null],
    ['2019-1-5', null, null],
    ['19', null, null],
    ['2019-03-01T00:00:00Z', null, null],
    [' 2019', null, null]
  ]
  for (const [cell, date, precision] of cases) {
    const album = map(H.P10, `spotify:track:4oZRdDmetYCOI1qwaHeSzH,"T","A","B",${cell},1000,0,false,,2025-05-01T00:00:00Z,"",""`).track.album
    t.same([album.releaseDate, album.releaseDatePrecision], [date, precision], JSON.stringify(cell))
  }
})

t.test('numbers, booleans and JavaScript `undefined`/`null` leaking into cells', async (t) => {
  const row = (duration: string, popularity: string, explicit: string, label: string): LibraryTrack =>
    map(H.P10, `spotify:track:4oZRdDmetYCOI1qwaHeSzH,"T","A","B",2019,${duration},${popularity},${explicit},,2025-05-01T00:00:00Z,"","${label}"`).track
  const cases: Array<[string, LibraryTrack, Partial<Record<'durationMs' | 'popularity' | 'explicit' | 'label', unknown>>]> = [
    ['plain values', row('195717', '65', 'false', 'Columbia'), { durationMs: 195717, popularity: 65, explicit: false, label: 'Columbia' }],
    ['true', row('1', '0', 'true', 'x'), { popularity: 0, explicit: true }],
    ['Excel TRUE/FALSE', row('1', '0', 'TRUE', 'x'), { explicit: true }],
    ['Excel FALSE', row('1', '0', 'FALSE', 'x'), { explicit: false }],
    ['empty cells', row('', '', '', ''), { durationMs: null, popularity: null, explicit: null, label: null }],
    ['"undefined" label (album lookup failed)', row('1', '0', 'false', 'undefined'), { label: null }],
    ['"null"', row('null', 'null', 'null', 'null'), { durationMs: null, popularity: null, explicit: null, label: null }],
    ['spaces around a number, 7.0', row(' 195717 ', '7.0', 'yes', 'x'), { durationMs: 195717, popularity: 7, explicit: null }],
    ['a cell of spaces', row('  ', '1', 'false', 'x'), { durationMs: null }]
  ]
  for (const [label, tr, want] of cases) {
    if ('durationMs' in want) t.equal(tr.durationMs, want.durationMs, `${label}: durationMs`)
    if ('popularity' in want) t.equal(tr.popularity, want.popularity, `${label}: popularity`)
    if ('explicit' in want) t.equal(tr.explicit, want.explicit, `${label}: explicit`)
    if ('label' in want) t.equal(tr.album.label, want.label, `${label}: label`)
  }
  for (const [cells, message] of [
    [['3.5', '7'], 'Duration (ms) "3.5" is not a whole number'],
    [['abc', '7'], 'Duration (ms) "abc" is not a number'],
    [['1000', 'NaN'], 'Popularity "NaN" is not a number'],
    [['1000', 'Infinity'], 'Popularity "Infinity" is not a number'],
    [['1000', 'ten'], 'Popularity "ten" is not a number']
  ] as const) {
    t.equal(rowError(() => row(cells[0], cells[1], 'false', 'x')).message, message, `${cells.join(', ')}: the row is rejected`)
  }
  t.equal(rowError(() => map(H.P10, 'spotify:track:4oZRdDmetYCOI1qwaHeSzH,"undefined","undefined","Someone",,1000,0,false,,2025-05-01T00:00:00Z,"","undefined"')).message,
    'no track name', '"undefined" as the track name: not a track')
  const w6 = map(H.W6, REAL.w6Line2).track
  t.same([w6.discNumber, w6.trackNumber, w6.popularity], [1, 1, 38], 'watsonbox quoted numbers')
})

t.test('genres', async (t) => {
  const genres = (cell: string): string[] => map(H.P10, `spotify:track:4oZRdDmetYCOI1qwaHeSzH,"T","A","B",2019,1000,0,false,,2025-05-01T00:00:00Z,"${cell}",""`).track.genres
  t.same(genres('afro dancehall,afropop,alte'), ['afro dancehall', 'afropop', 'alte'])
  t.same(genres(''), [])
  t.same(genres('nhạc phim,crossover cổ điển'), ['nhạc phim', 'crossover cổ điển'])
  t.same(genres(' a , b ,,'), ['a', 'b'], 'trimmed, empty parts dropped')
  const w6 = map(`${H.W6},"Artist Genres"`, `${REAL.deLine2},"electro house,edm,brostep"`).track
  t.same(w6.genres, ['electro house', 'edm', 'brostep'], 'watsonbox Artist Genres')
})

t.test('audio features: all 12 or null', async (t) => {
  const p10 = (f: string): AudioFeatures | null => map(H.P10, `spotify:track:4oZRdDmetYCOI1qwaHeSzH,"T","A","B",2019,1000,0,false,,2025-05-01T00:00:00Z,"",""${f}`).track.features
  t.same(p10(',0.729,0.954,1,-4.183,1,0.126,0.218,0,0.127,0.955,143.021,4'), features(0.729, 0.954, 1, -4.183, 1, 0.126, 0.218, 0, 0.127, 0.955, 143.021, 4), 'all 12')
  t.equal(p10(''), null, 'the 12 cells absent (a failed features chunk: 12-cell rows)')
  t.equal(p10(',,,,,,,,,,,,'), null, 'all 12 empty (pavelkomarov#85)')
  t.equal(p10(',0.729,0.954,1,-4.183,1,0.126,0.218,0,0.127,0.955,143.021,'), null, 'the last one empty')
  t.equal(p10(',0.729,0.954,1,-4.183,1,0.126,0.218,0,0.127,0.955,143.021'), null, 'the last one missing (11 of 12)')
  t.equal(rowError(() => p10(',0.729,x,1,-4.183,1,0.126,0.218,0,0.127,0.955,143.021,4')).message, 'energy "x" is not a number', 'one non-numeric rejects the row')
  t.equal(rowError(() => p10(',0.729,,1,-4.183,1,0.126,0.218,0,0.127,abc,143.021,4')).message, 'valence "abc" is not a number', 'even beside an empty one')
  t.same(p10(',"0,729","0,954",1,"-4,183",1,"0,126","0,218",0,"0,127","0,955","143,021",4'),
    features(0.729, 0.954, 1, -4.183, 1, 0.126, 0.218, 0, 0.127, 0.955, 143.021, 4), 'decimal commas (an Excel re-save in a comma-decimal locale)')
  t.equal(p10(',0.729,0.954,1,-4.183,1,0.126,0.218,undefined,0.127,0.955,143.021,4'), null, 'one "undefined"')
  t.same(p10(',1e-7,0.954,-1,-60,0,3.37e-5,0.218,0.0000027,0.127,0.955,90,5'), features(1e-7, 0.954, -1, -60, 0, 3.37e-5, 0.218, 0.0000027, 0.127, 0.955, 90, 5), 'exponents, key -1, time signature 5')

  const ragged = map(H.P3, REAL.p3Line54)
  t.equal(ragged.track.features, null, 'P3 line 54: the real 11-cell row')
  t.same(ragged.track.artists.map(a => a.name), ['Show Dem Camp', 'Ajebutter22', 'Boj'])
  t.same(ragged.track.genres, ['afro dancehall', 'afropop', 'alte', 'nigerian hip hop', 'nigerian pop', 'azonto'], 'cells before the missing ones are intact')
  t.equal(map(H.W6, REAL.w6Line2).track.features, null, 'a dialect without feature columns')
  const w6f = `${H.W6},${FEATURES.split(',').map(f => `"${f}"`).join(',')}`
  t.equal(map(w6f, `${REAL.deLine2},"","","","","","","","","","","",""`).track.features, null, 'watsonbox episode: features written as ""')
})

t.test('local files', async (t) => {
  const p3 = (name: string, album: string, artist: string, duration: string): LibraryTrack =>
    map(H.P3, `,"","${name}","${album}","${artist}",,${duration},0,spotify:user:x,2022-06-03T16:10:56Z,""`).track
  const cases: Array<[string, LibraryTrack, string]> = [
    ['P3 empty Spotify ID', p3('Loituma', 'Loituma', 'DJ Maxwell', '327000'), 'spotify:local:DJ+Maxwell:Loituma:Loituma:327'],
    // The same file as the German W6 fixture's line 39: the synthesized URI must equal Spotify's.
    ['P3, the W6 fixture\'s local file', p3('Gimme! Gimme! Gimme! Eurobeat Remix', 'Eurobeat', 'Turbo', '241000'), 'spotify:local:Turbo:Eurobeat:Gimme%21+Gimme%21+Gimme%21+Eurobeat+Remix:241'],
    ['parentheses, apostrophe, asterisk, non-ASCII', p3('Don\'t Stop (Live*)', 'Café', 'Motörhead', '128000'), 'spotify:local:Mot%C3%B6rhead:Caf%C3%A9:Don%27t+Stop+%28Live%2A%29:128'],
    ['colon, plus, ampersand, slash', p3('A: B + C & D/E', 'x', 'y', '1000'), 'spotify:local:y:x:A%3A+B+%2B+C+%26+D%2FE:1'],
    ['no album (Spotify leaves that part empty)', p3('Atomausstieg', '', 'Selassikai', '186000'), 'spotify:local:Selassikai::Atomausstieg:186'],
    ['rounded seconds', p3('T', 'A', 'B', '186600'), 'spotify:local:B:A:T:187'],
    ['no duration', p3('T', 'A', 'B', ''), 'spotify:local:B:A:T:'],
    ['no artist', p3('T', 'A', '', '1000'), 'spotify:local::A:T:1']
  ]
  for (const [label, tr, uri] of cases) {
    t.same([tr.kind, tr.key, tr.uri, tr.id], ['local', uri, uri, null], label)
  }
  const p6 = map(H.P6, ',"Heart of Stone","Heart of Stone","The Waymores",,128000,0,,2024-10-01T00:00:00Z,"","undefined"').track
  t.same([p6.kind, p6.key, p6.album.label], ['local', 'spotify:local:The+Waymores:Heart+of+Stone:Heart+of+Stone:128', null], 'P6 empty Track ID, "undefined" label')

  const p10 = map(H.P10, 'spotify:local:The+Waymores:Heart+of+Stone:Heart+of+Stone:128,"Heart of Stone","Heart of Stone","The Waymores",,128000,0,false,,2026-03-10T13:44:11Z,"","undefined"').track
  t.same([p10.kind, p10.key, p10.uri, p10.id, p10.album.releaseDate, p10.album.label], ['local', 'spotify:local:The+Waymores:Heart+of+Stone:Heart+of+Stone:128', 'spotify:local:The+Waymores:Heart+of+Stone:Heart+of+Stone:128', null, null, null], 'P10 spotify:local: URI kept verbatim')

  const w1 = map(H.W1, '"spotify:local:Selassikai::Atomausstieg:186","Atomausstieg","Selassikai","","0","0","186000","spotify:user:mmccaff","2016-01-01T00:00:00Z"').track
  t.same([w1.kind, w1.key, w1.artists], ['local', 'spotify:local:Selassikai::Atomausstieg:186', [{ id: null, name: 'Selassikai' }]], 'W1 local')
})

t.test('episodes', async (t) => {
  const p10 = map(H.P10, 'spotify:episode:512ojhOuo1ktJprKbVcKyQ,"Episode 12","The Show","",2024-03-05,3600000,0,false,,2026-03-10T13:44:11Z,"","undefined"').track
  t.same([p10.kind, p10.key, p10.id, p10.uri, p10.artists, p10.features], ['episode', '512ojhOuo1ktJprKbVcKyQ', '512ojhOuo1ktJprKbVcKyQ', 'spotify:episode:512ojhOuo1ktJprKbVcKyQ', [], null])
  const w6 = map(H.W6, '"spotify:episode:512ojhOuo1ktJprKbVcKyQ","Episode 12","","","","The Show","","","2024-03-05","https://i.scdn.co/image/x","0","0","3600000","","false","0","","spotify:user:x","2026-01-01T00:00:00Z"').track
  t.same([w6.kind, w6.key, w6.album.releaseDatePrecision, w6.album.id], ['episode', '512ojhOuo1ktJprKbVcKyQ', 'day', null])
})

t.test('P5 (no id column): the key is name + artists, folded', async (t) => {
  const p5 = (name: string, artists: string): MappedRow => map(H.P5, `"${name}","Album","${artists}",2008-11-14,261640,80,,2024-09-05T00:00:00Z,"","Columbia",0.5,0.5,1,-5,1,0.05,0.1,0,0.1,0.5,120,4`)
  const cases: Array<[string, string, string]> = [
    ['Halo', 'Beyoncé', 'name:halo|beyonce'],
    ['Still D.R.E.', 'Dr. Dre,Snoop Dogg', 'name:still d r e|dr dre snoop dogg'],
    ['福气马上来', '1119', 'name:福气马上来|1119'],
    ['My Heart Will Go On - Love Theme from Titanic', 'Céline Dion', 'name:my heart will go on love theme from titanic|celine dion'],
    ['Untitled', '', 'name:untitled|']
  ]
  for (const [name, artists, key] of cases) {
    const tr = p5(name, artists).track
    t.same([tr.key, tr.kind, tr.id, tr.uri], [key, 'track', null, null], `${name} / ${artists}`)
  }
  t.equal(p5('HALO', 'BEYONCE').track.key, p5('Halo', 'Beyoncé').track.key, 'case and accents fold to one key')
  t.equal(p5('Halo', 'Beyoncé').track.features?.tempo, 120)
  t.equal(p5('Halo', 'Beyoncé').track.album.label, 'Columbia')
  const err = rowError(() => p5('', 'Beyoncé'))
  t.ok(err instanceof RowError)
  t.equal(err.message, 'no track id and no track name (an empty or deleted track)')
})

t.test('Added By and Added At', async (t) => {
  const p3 = (addedBy: string, addedAt: string): MappedRow => map(H.P3, `4oZRdDmetYCOI1qwaHeSzH,"","T","A","B",2019,1000,0,${addedBy},${addedAt},""`)
  const cases: Array<[string, string, string | null, string | null]> = [
    ['spotify:user:seankmchenry', '2022-06-03T16:10:56Z', 'seankmchenry', '2022-06-03T16:10:56Z'],
    ['spotify:user:', '2018-12-24T11:22:14Z', null, '2018-12-24T11:22:14Z'],
    ['', '', null, null],
    ['owner_id', '1970-01-01T00:00:00Z', 'owner_id', '1970-01-01T00:00:00Z'],
    ['spotify:user:spotify:user:x', '2022-06-03T16:10:56Z', 'spotify:user:x', '2022-06-03T16:10:56Z']
  ]
  for (const [by, at, wantBy, wantAt] of cases) {
    const m = p3(by, at)
    t.same([m.addedBy, m.addedAt], [wantBy, wantAt], JSON.stringify([by, at]))
  }
})

t.test('unknown columns land in `extra`', async (t) => {
  const d = dialect(`${H.P10},My Rating,,Mood`)
  const m = mapRow(cellsOf(`${REAL.p10Line2},5,ignored,chill`), d)
  t.same(m.track.extra, { 'My Rating': '5', Mood: 'chill' })
  t.same(mapRow(cellsOf(`${REAL.p10Line2},,,`), d).track.extra, {}, 'empty values are not kept')
  t.same(mapRow(cellsOf(REAL.p10Line2), d).track.extra, {}, 'a row without those cells')
  const w = map(`${H.W6},"Album Genres","Label","Copyrights","Notizen"`, `${REAL.deLine2},"","Kitsuné","C 2012 Earstorm, P 2012 Earstorm","favourite"`).track
  t.same(w.extra, { Notizen: 'favourite' })
  t.equal(w.album.label, 'Kitsuné')
})

t.test('Royce Da 5\'9": the surplus cell is re-merged into the artist list', async (t) => {
  const ids = '"7dGJo4pcD2V6oG8kP0tJRR,0Iq0ECLG3WaOVaCDNZ9J7X,2xe4wx7ELx9QzX9Lk4Z0Zt"'
  const p3 = map(H.P3, `4oZRdDmetYCOI1qwaHeSzH,${ids},"Fast Lane","Hell: The Sequel","Eminem,Royce Da 5'9",Joell Ortiz",2011-06-14,181818,34,spotify:user:x,2022-06-03T16:10:56Z,"hip hop",0.849,0.531,4,-9.618,0,0.0624,0.548,0.0324,0.0893,0.521,99.021,4`).track
  t.same(p3.artists, [
    { id: '7dGJo4pcD2V6oG8kP0tJRR', name: 'Eminem' },
    { id: '0Iq0ECLG3WaOVaCDNZ9J7X', name: 'Royce Da 5\'9"' },
    { id: '2xe4wx7ELx9QzX9Lk4Z0Zt', name: 'Joell Ortiz' }
  ], 'P3 (issue #71 shape)')
  t.same([p3.album.releaseDate, p3.durationMs, p3.popularity, p3.features?.time_signature], ['2011-06-14', 181818, 34, 4], 'later columns line up again')

  const first = map(H.P3, '4oZRdDmetYCOI1qwaHeSzH,"0Iq0ECLG3WaOVaCDNZ9J7X,7dGJo4pcD2V6oG8kP0tJRR","Caterpillar","x","Royce Da 5\'9",Eminem",2018,1,0,,2022-06-03T16:10:56Z,"",1,1,1,1,1,1,1,1,1,1,1,1').track
  t.same(first.artists.map(a => a.name), ['Royce Da 5\'9"', 'Eminem'], 'Royce first')

  const p6 = map(H.P6, '4oZRdDmetYCOI1qwaHeSzH,"Fast Lane","Hell","Eminem,KXNG Crooked,Royce Da 5\'9",Joell Ortiz",2011,181818,34,,2024-10-01T00:00:00Z,"","Shady",0.8,0.5,4,-9,0,0.06,0.5,0.03,0.08,0.5,99,4').track
  t.same(p6.artists.map(a => a.name), ['Eminem', 'KXNG Crooked', 'Royce Da 5\'9"', 'Joell Ortiz'], 'P6 (no Artist IDs)')
  t.equal(p6.album.label, 'Shady')

  const w1 = map(H.W1, '"spotify:track:4oZRdDmetYCOI1qwaHeSzH","Fast Lane","Eminem, Royce Da 5\'9", Joell Ortiz","Hell","1","1","181818","spotify:user:x","2011-01-01T00:00:00Z"').track
  t.same(w1.artists.map(a => a.name), ['Eminem', 'Royce Da 5\'9"', 'Joell Ortiz'], 'W1 (`, ` joiner)')
})

t.test('rows that cannot be mapped: RowError with a clear message', async (t) => {
  const p3row = (id: string): string => `${id},"","T","A","B",2019,1000,0,,2022-06-03T16:10:56Z,""`
  const p10row = (uri: string): string => `${uri},"T","A","B",2019,1000,0,false,,2025-05-01T00:00:00Z,"",""`
  const cases: Array<[string, () => unknown, string]> = [
    ['album URI in Track URI', () => map(H.P10, p10row('spotify:album:3b6RZmPmYzg2mRyfoIznYS')),
      '"spotify:album:3b6RZmPmYzg2mRyfoIznYS" is not a Spotify track, episode or local-file URI'],
    ['short track id in a URI', () => map(H.P10, p10row('spotify:track:3b6RZmPmYzg2mRyfoIznY')),
      '"spotify:track:3b6RZmPmYzg2mRyfoIznY" is not a Spotify track, episode or local-file URI'],
    ['open.spotify.com link', () => map(H.P10, p10row('https://open.spotify.com/track/3b6RZmPmYzg2mRyfoIznYS')),
      '"https://open.spotify.com/track/3b6RZmPmYzg2mRyfoIznYS" is not a Spotify track, episode or local-file URI'],
    ['a long junk URI is clipped', () => map(H.P10, p10row('x'.repeat(80))),
      `"${'x'.repeat(57)}…" is not a Spotify track, episode or local-file URI`],
    ['a 21-character id', () => map(H.P3, p3row('4oZRdDmetYCOI1qwaHeSz')),
      '"4oZRdDmetYCOI1qwaHeSz" is not a 22-character Spotify track id'],
    ['a 22-character id with a non-base62 character', () => map(H.P3, p3row('4oZRdDmetYCOI1qwaHe-zH')),
      '"4oZRdDmetYCOI1qwaHe-zH" is not a 22-character Spotify track id'],
    ['a URI in the bare-id column', () => map(H.P6, '4oZRdDmetYCOI1qwaHeSzHX,"T","A","B",2019,1000,0,,2024-10-01T00:00:00Z,"",""'),
      '"4oZRdDmetYCOI1qwaHeSzHX" is not a 22-character Spotify track id'],
    ['null track: neither id nor name (P3)', () => map(H.P3, ',"","undefined","undefined","",,0,0,spotify:user:x,2022-06-03T16:10:56Z,""'),
      'no track id and no track name (an empty or deleted track)'],
    ['null track (P6)', () => map(H.P6, ',"undefined","undefined","",,,0,,2024-10-01T00:00:00Z,"","undefined"'),
      'no track id and no track name (an empty or deleted track)'],
    ['null track (P10, empty URI)', () => map(H.P10, ',"undefined","undefined","",,,0,,,2026-03-10T13:44:11Z,"","undefined"'),
      'no track id and no track name (an empty or deleted track)'],
    ['a row with one surplus cell that cannot be re-merged', () => map(H.P3, `${REAL.p3Line2},extra`),
      '24 cells where the header has 23'],
    ['two surplus cells, only one re-mergeable', () => map(H.P3, '4oZRdDmetYCOI1qwaHeSzH,"","T","A","Royce Da 5\'9",Eminem",2019,1000,0,,2022-06-03T16:10:56Z,"",1,1,1,1,1,1,1,1,1,1,1,1,x'),
      '24 cells where the header has 23'],
    ['W1 with a surplus cell', () => map(H.W1, `${REAL.w1Line2},"x"`), '10 cells where the header has 9'],
    ['cut off after 3 of 24 cells (P10)', () => map(H.P10, 'spotify:track:4oZRdDmetYCOI1qwaHeSzH,"T","A"'),
      '3 cells where a row of this export has at least 10 (the row is cut off)'],
    ['cut off before Added At (W6)', () => map(H.W6, REAL.w6Line2.split('","').slice(0, 18).join('","') + '"'),
      '18 cells where a row of this export has at least 19 (the row is cut off)'],
    ['cut off before Added At (W1)', () => map(H.W1, '"spotify:track:4oZRdDmetYCOI1qwaHeSzH","T","A","B","1","1","1000","spotify:user:x"'),
      '8 cells where a row of this export has at least 9 (the row is cut off)'],
    ['a track URI without a name (P10)', () => map(H.P10, p10row('spotify:track:4oZRdDmetYCOI1qwaHeSzH').replace('"T"', '""')), 'no track name'],
    ['a track id without a name (P3)', () => map(H.P3, p3row('4oZRdDmetYCOI1qwaHeSzH').replace('"T"', '""')), 'no track name'],
    ['a name without a URI where the export has URIs (W6)', () => map(H.W6, `"",${REAL.w6Line2.slice(REAL.w6Line2.indexOf('","') + 2)}`), 'no track URI']
  ]
  for (const [label, fn, message] of cases) {
    const err = rowError(fn)
    t.ok(err instanceof RowError, `${label}: RowError`)
    t.equal(err.name, 'RowError', label)
    t.equal(err.message, message, label)
  }
})

t.test('Royce Da 5\'9" as the LAST artist (P3–P7): `"…5\'9"",` is read as an escaped quote; the swallowed cells are put back', async (t) => {
  // csv-parse gives 5 cells (P3 row without features): Artist Name(s) = `Royce Da 5'9",2016-02-12,181818,…,"detroit hip hop`.
  // mapRow sees a short row, merges everything into one artist (1 Artist ID) and loses date, duration, popularity, Added By/At and genres.
  const m = map(H.P3, '4oZRdDmetYCOI1qwaHeSzH,"0Iq0ECLG3WaOVaCDNZ9J7X","Tabernacle","Tabernacle","Royce Da 5\'9"",2016-02-12,181818,34,spotify:user:x,2022-06-03T16:10:56Z,"detroit hip hop"')
  t.same(m.track.artists, [{ id: '0Iq0ECLG3WaOVaCDNZ9J7X', name: 'Royce Da 5\'9"' }])
  t.equal(m.track.album.releaseDate, '2016-02-12')
  t.equal(m.addedAt, '2022-06-03T16:10:56Z')
})

t.test('Royce Da 5\'9" in the middle of a SHORT row (P3 without audio features) is re-merged too', async (t) => {
  // 12 cells < 23, so remergeStrayQuotes never runs: release date = `Joell Ortiz"`, popularity = 181818,
  // Added By = "34", Added At = "spotify:user:x", genres = ["2022-06-03T16:10:56Z"]: silently wrong.
  const m = map(H.P3, '4oZRdDmetYCOI1qwaHeSzH,"7dGJo4pcD2V6oG8kP0tJRR,0Iq0ECLG3WaOVaCDNZ9J7X,2xe4wx7ELx9QzX9Lk4Z0Zt","Fast Lane","Hell: The Sequel","Eminem,Royce Da 5\'9",Joell Ortiz",2011-06-14,181818,34,spotify:user:x,2022-06-03T16:10:56Z,"hip hop"')
  t.same(m.track.artists.map(a => a.name), ['Eminem', 'Royce Da 5\'9"', 'Joell Ortiz'])
  t.same([m.track.album.releaseDate, m.track.durationMs, m.addedBy, m.addedAt], ['2011-06-14', 181818, 'x', '2022-06-03T16:10:56Z'])
  t.same(m.track.genres, ['hip hop'])
})

t.test('"10,000 Maniacs" after a shorter artist: the thousands separator is merged first', async (t) => {
  // ['Dr. Dre', '10', '000 Maniacs'] with 2 ids: 'Dr. Dre'+'10' (9 chars) is shorter than '10'+'000 Maniacs' (13),
  // so the result is ['Dr. Dre,10', '000 Maniacs']. A comma between two digits should be merged first.
  const m = map(H.P3, '4oZRdDmetYCOI1qwaHeSzH,"36gl2NBJNRaQakdS4fTKGW,4qYpTEJThZ8FC8KzyFrSWW","T","A","Dr. Dre,10,000 Maniacs",2019,1000,0,,2022-06-03T16:10:56Z,""')
  t.same(m.track.artists.map(a => a.name), ['Dr. Dre', '10,000 Maniacs'])
})
