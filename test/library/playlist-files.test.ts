// What a CSV's file name says about its playlist, and which library names a Spotify playlist name
// can end up as through Exportify's file names (docs/exportify.md §2.2).
import t from 'tap'
import { describePlaylistFile, libraryNamesFor, syntheticPlaylistId } from '../../src/library/playlist-files.js'

t.test('file names: underscores, duplicates in a zip, ids in brackets, Liked Songs', async t => {
  t.same(describePlaylistFile('sub/Deep_Focus.csv'), { name: 'Deep Focus', isLiked: false, idFromName: null })
  t.same(describePlaylistFile('Deep_Focus_(1).csv').name, 'Deep Focus', 'a duplicate in a zip')
  t.same(describePlaylistFile('Road Trip [37i9dQZF1DX8NTLI2TtZa6].csv'), { name: 'Road Trip', isLiked: false, idFromName: '37i9dQZF1DX8NTLI2TtZa6' })
  for (const f of ['Liked_Songs.csv', 'liked_songs.csv', 'liked.csv', 'Liked Songs [liked_songs].csv']) t.equal(describePlaylistFile(f).isLiked, true, f)
  // A second download of the same file, as browsers name it; a name typed with a space; a CSV
  // inside Exportify's "Export All" zip.
  for (const f of ['Liked_Songs (1).csv', 'liked(2).csv', 'Liked Songs.csv', 'LIKED.CSV', 'spotify_playlists.zip:liked.csv', 'old/spotify_playlists.zip:export/Liked_Songs.csv']) {
    t.equal(describePlaylistFile(f).isLiked, true, f)
  }
  for (const f of ['liked_songs_2.csv', 'my_liked.csv', 'unliked.csv', 'liked.zip:other.csv']) t.equal(describePlaylistFile(f).isLiked, false, f)
  t.same(describePlaylistFile('spotify_playlists.zip:Deep_Focus.csv'), { name: 'Deep Focus', isLiked: false, idFromName: null }, 'a CSV in an archive is named by its own file name')
  t.equal(syntheticPlaylistId('a.csv'), syntheticPlaylistId('a.csv'))
  t.match(syntheticPlaylistId('a.csv'), /^[0-9A-Za-z]{22}$/)
})

t.test('libraryNamesFor: the name, and what each Exportify file name makes of it', async t => {
  t.same(libraryNamesFor('Deep Focus'), ['deep focus'])
  t.same(libraryNamesFor('Work: Focus'), ['work: focus', 'work focus'], 'since 2025-09, `:` is dropped')
  t.same(libraryNamesFor('Dad & Patti\'s 🎸'), ['dad & patti\'s 🎸', 'dad pattis'], 'before, everything but ASCII letters, digits, - and space')
  t.same(libraryNamesFor('AC/DC Mix'), ['ac/dc mix', 'acdc mix'])
  t.same(libraryNamesFor('夜'), ['夜'], 'a name the old exporter emptied gives no second name')
  t.same(libraryNamesFor('   '), [])
  // Each, written as a file and read back, is one of these names.
  for (const name of ['Work: Focus', 'Dad & Patti\'s 🎸', 'AC/DC Mix']) {
    const newFile = `${name.replace(/[/\\:*?"<>|]/g, '').replace(/\s+/g, '_')}.csv`
    t.ok(libraryNamesFor(name).includes(describePlaylistFile(newFile).name.toLowerCase()), `${name} → ${newFile}`)
  }
})
