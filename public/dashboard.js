// The dashboard's only script: polls /admin/stats and draws it. No build step, no dependency.
'use strict'
const SOURCES = ['upstream', 'cache', 'stale', 'csv', 'local']
// Colours are paired with labels and patterns of position (stack order), never the only cue.
const COLOURS = { upstream: '#2b6cb0', cache: '#38a169', stale: '#d69e2e', csv: '#805ad5', local: '#c53030' }
const REFRESH_MS = 2000
const $ = id => document.getElementById(id)
const byTestId = id => document.querySelector(`[data-testid="${id}"]`)
const set = (id, text) => { byTestId(id).textContent = text }
const mb = bytes => `${(bytes / 1048576).toFixed(1)} MB`

function counts (bySource) {
  const parts = SOURCES.filter(s => bySource[s]).map(s => `${s} ${bySource[s]}`)
  return parts.length === 0 ? 'none' : parts.join(', ')
}

function drawChart (minutes) {
  const svg = $('chart')
  const max = Math.max(1, ...minutes.map(m => SOURCES.reduce((n, s) => n + (m.bySource[s] || 0), 0)))
  const w = 600 / minutes.length
  const ns = 'http://www.w3.org/2000/svg'
  while (svg.childNodes.length > 1) svg.removeChild(svg.lastChild)
  minutes.forEach((m, i) => {
    let y = 160
    for (const s of SOURCES) {
      const n = m.bySource[s] || 0
      if (n === 0) continue
      const h = (n / max) * 150
      y -= h
      const r = document.createElementNS(ns, 'rect')
      r.setAttribute('x', String(i * w + 0.5))
      r.setAttribute('y', String(y))
      r.setAttribute('width', String(Math.max(1, w - 1)))
      r.setAttribute('height', String(h))
      r.setAttribute('fill', COLOURS[s])
      const title = document.createElementNS(ns, 'title')
      title.textContent = `${m.minute.slice(11, 16)} ${s}: ${n}`
      r.appendChild(title)
      svg.appendChild(r)
    }
  })
}

/** 13 h 35 min, 4 min 10 s, 9 s: a quota cooldown lasts hours. */
function left (seconds) {
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`
  if (seconds >= 60) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
  return `${seconds} s`
}

function render (s) {
  const minutes = s.traffic.lastHour
  drawChart(minutes)
  set('minute-counts', counts(minutes[minutes.length - 1].bySource))
  set('totals', counts(s.traffic.totals))
  const c = s.upstream.cooldown
  set('cooldown', c === null ? (s.upstream.probing ? 'over: one request is asking Spotify' : 'none') : `${c.reason}, ${left(c.secondsLeft)} left (ends ${c.until.slice(0, 16).replace('T', ' ')} UTC)`)
  set('breaker', s.upstream.breaker)
  set('pacing', s.upstream.pacing === null ? 'off' : `${s.upstream.pacing.sentInWindow} of ${s.upstream.pacing.perWindow} sent in the last 30 s, ${s.upstream.pacing.queued} waiting`)
  set('refused', s.upstream.refusedEndpoints.length === 0 ? 'none' : s.upstream.refusedEndpoints.map(r => r.endpoint).join('; '))
  set('mode', s.mode)
  set('cache-entries', s.cache.enabled ? String(s.cache.entries) : 'cache off')
  set('cache-size', `${mb(s.cache.bytes)} of ${mb(s.cache.maxBytes / 2)}`)
  set('entity-size', `${mb(s.cache.entityBytes)} of ${mb(s.cache.maxBytes / 2)}`)
  set('library-tracks', String(s.library.tracks))
  set('library-playlists', String(s.library.playlists))
  set('library-liked', String(s.library.likedSongs))
  set('library-problems', String(s.library.problems))
  set('library-kind', !s.library.enabled ? 'off' : s.library.demo ? 'the demo library' : 'your exports')
  const body = $('fallbacks')
  body.replaceChildren()
  if (s.traffic.recentFallbacks.length === 0) {
    const tr = body.insertRow()
    const td = tr.insertCell()
    td.colSpan = 5
    td.textContent = 'None yet.'
  }
  for (const f of s.traffic.recentFallbacks) {
    const tr = body.insertRow()
    tr.dataset.reason = f.reason
    for (const text of [f.at.slice(11, 19), `${f.method} ${f.route}`, String(f.status), f.source, f.reason]) tr.insertCell().textContent = text
  }
  const status = $('status')
  status.className = ''
  status.textContent = `Up ${s.uptimeSeconds} s · upstream ${s.upstream.baseUrl} · updated ${s.now.slice(11, 19)} UTC`
  status.dataset.updated = s.now
}

/** The last changes the imports recorded (/admin/history), newest first. */
function renderChanges (changes) {
  const body = $('changes')
  body.replaceChildren()
  if (changes.length === 0) {
    const td = body.insertRow().insertCell()
    td.colSpan = 4
    td.textContent = 'None recorded yet.'
  }
  for (const c of changes) {
    const tr = body.insertRow()
    tr.dataset.kind = c.kind
    const track = c.name === null ? (c.track ?? '') : `${c.name}${c.artists ? ` — ${c.artists}` : ''}`
    for (const text of [c.at.slice(0, 16).replace('T', ' '), c.playlist ?? '', c.kind, track]) tr.insertCell().textContent = text
  }
}

async function refresh () {
  const token = sessionStorage.getItem('adminToken')
  const headers = token ? { authorization: `Bearer ${token}` } : {}
  const res = await fetch('/admin/stats', { headers, cache: 'no-store' })
  const status = $('status')
  if (res.status === 401) {
    status.className = 'error'
    status.textContent = 'An admin token is required (SPOTIFY_PROXY_ADMIN_TOKEN).'
    $('token-form').hidden = false
    return
  }
  if (res.status === 403) {
    status.className = 'error'
    status.textContent = '/admin answers only on this machine (loopback). Set SPOTIFY_PROXY_ADMIN_TOKEN to open it to others with the token.'
    return
  }
  if (!res.ok) throw new Error(`/admin/stats answered ${res.status}`)
  $('token-form').hidden = true
  render(await res.json())
  const history = await fetch('/admin/history?limit=20', { headers, cache: 'no-store' })
  if (history.ok) renderChanges((await history.json()).changes)
}

$('token-form').addEventListener('submit', e => {
  e.preventDefault()
  sessionStorage.setItem('adminToken', $('token').value)
  refresh().catch(showError)
})

function showError (err) {
  const status = $('status')
  status.className = 'error'
  status.textContent = `Cannot reach the proxy: ${err.message}`
}

const legend = $('legend')
for (const s of SOURCES) {
  const li = document.createElement('li')
  li.style.setProperty('--c', COLOURS[s])
  li.textContent = s
  legend.appendChild(li)
}
refresh().catch(showError)
setInterval(() => { refresh().catch(showError) }, REFRESH_MS)
