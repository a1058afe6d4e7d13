// Draws the lessons' GeoJSON on a Leaflet map: over the tile URL an admin set, or else over
// country outlines the app itself serves, so no request leaves the site. The list of
// lessons by place on the same page works without it and for screen readers.
(function () {
  'use strict'
  const element = document.getElementById('lesson-map')
  if (!element || typeof window.L === 'undefined') return
  const L = window.L
  const data = element.dataset
  const SYMBOLS = { works: '✔', fails: '✘', mixed: '◑', open: '○' }
  const map = L.map(element, { worldCopyJump: true }).setView([51.2, 10.4], 5)
  const getJson = function (url, accept) {
    return fetch(url, { headers: { Accept: accept } }).then(function (response) {
      if (!response.ok) throw new Error(url + ' answered ' + response.status)
      return response.json()
    })
  }
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { attribution: data.tileAttribution || '', maxZoom: 18 }).addTo(map)
  } else if (data.basemap) {
    map.attributionControl.addAttribution(data.basemapAttribution || '')
    getJson(data.basemap, 'application/geo+json').then(function (outlines) {
      L.geoJSON(outlines, { className: 'basemap-country', interactive: false }).addTo(map).bringToBack()
    }).catch(function () { element.classList.add('basemap-missing') })
  }
  // Markers closer than this on screen are drawn as one group: each marker keeps a target of
  // at least 24 px that no other covers, and a group's popup lists its lessons.
  const NEAR_PX = 34
  const describe = function (feature) {
    const link = document.createElement('a')
    link.href = feature.properties.url
    link.textContent = feature.properties.title
    const text = document.createElement('p')
    // The data carries the outcome's code; the page carries its name in the reader's language.
    const outcome = feature.properties.outcome
    const key = 'outcome' + outcome.charAt(0).toUpperCase() + outcome.slice(1)
    const origin = feature.properties.origin || 'local'
    text.textContent = feature.properties.place + ' · ' + (data[key] || outcome) + ' · ' +
      (data.originLabel || '') + ': ' + (origin === 'local' ? data.originLocal : origin)
    const box = document.createElement('div')
    box.appendChild(link)
    box.appendChild(text)
    return box
  }
  // Outcome as a symbol inside the marker, origin as its shape: neither needs colour.
  const single = function (feature, position) {
    const outcome = feature.properties.outcome
    const origin = feature.properties.origin || 'local'
    const icon = L.divIcon({
      className: 'map-marker outcome-' + outcome + ' origin-' + (origin === 'local' ? 'local' : 'remote'),
      html: SYMBOLS[outcome] || '○',
      iconSize: [24, 24]
    })
    return L.marker(position, { icon, title: feature.properties.title, alt: feature.properties.title }).bindPopup(describe(feature))
  }
  const group = function (members, position) {
    const icon = L.divIcon({ className: 'map-marker map-group', html: String(members.length), iconSize: [32, 32] })
    const titles = members.map(function (member) { return member.feature.properties.title }).join('; ')
    const list = document.createElement('ul')
    members.forEach(function (member) {
      const item = document.createElement('li')
      item.appendChild(describe(member.feature))
      list.appendChild(item)
    })
    return L.marker(position, { icon, title: titles, alt: titles }).bindPopup(list)
  }
  const markers = L.layerGroup().addTo(map)
  let features = []
  const draw = function () {
    markers.clearLayers()
    const groups = []
    features.forEach(function (feature) {
      const [lon, lat] = feature.geometry.coordinates
      const position = L.latLng(lat, lon)
      const point = map.latLngToLayerPoint(position)
      const near = groups.find(function (found) { return found.point.distanceTo(point) < NEAR_PX })
      if (near) near.members.push({ feature, position })
      else groups.push({ point, position, members: [{ feature, position }] })
    })
    groups.forEach(function (found) {
      markers.addLayer(found.members.length === 1 ? single(found.members[0].feature, found.position) : group(found.members, found.position))
    })
  }
  map.on('zoomend', draw)
  getJson(data.geojson, 'application/geo+json')
    .then(function (collection) {
      features = collection.features.filter(function (feature) { return feature.geometry && feature.geometry.type === 'Point' })
      if (features.length > 0) {
        const bounds = L.latLngBounds(features.map(function (feature) { return [feature.geometry.coordinates[1], feature.geometry.coordinates[0]] }))
        map.fitBounds(bounds, { maxZoom: 10, padding: [20, 20] })
      }
      draw()
    })
    .catch(function () { element.classList.add('markers-missing') })
})()
