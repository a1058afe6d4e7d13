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
  getJson(data.geojson, 'application/geo+json')
    .then(function (collection) {
      const layer = L.geoJSON(collection, {
        // Outcome as a symbol inside the marker, origin as its shape: neither needs colour.
        pointToLayer: function (feature, position) {
          const outcome = feature.properties.outcome
          const origin = feature.properties.origin || 'local'
          const icon = L.divIcon({
            className: 'map-marker outcome-' + outcome + ' origin-' + (origin === 'local' ? 'local' : 'remote'),
            html: SYMBOLS[outcome] || '○',
            iconSize: [24, 24]
          })
          return L.marker(position, { icon, title: feature.properties.title, alt: feature.properties.title })
        },
        onEachFeature: function (feature, marker) {
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
          marker.bindPopup(box)
        }
      }).addTo(map)
      if (collection.features.length > 0) map.fitBounds(layer.getBounds(), { maxZoom: 10, padding: [20, 20] })
    })
    .catch(function () { element.classList.add('markers-missing') })
})()
