// Draws the lessons' GeoJSON on a Leaflet map. Loaded only when a tile URL is set;
// the list of lessons by place on the same page works without it.
(function () {
  'use strict'
  var element = document.getElementById('lesson-map')
  if (!element || typeof window.L === 'undefined') return
  var L = window.L
  L.Icon.Default.imagePath = '/static/leaflet/images/'
  var map = L.map(element).setView([51.2, 10.4], 5)
  L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution || '', maxZoom: 18 }).addTo(map)
  fetch(element.dataset.geojson, { headers: { Accept: 'application/geo+json' } })
    .then(function (response) { return response.ok ? response.json() : { type: 'FeatureCollection', features: [] } })
    .then(function (collection) {
      var layer = L.geoJSON(collection, {
        onEachFeature: function (feature, marker) {
          var link = document.createElement('a')
          link.href = feature.properties.url
          link.textContent = feature.properties.title
          var text = document.createElement('p')
          // The data carries the outcome's code; the page carries its name in the reader's language.
          var outcome = feature.properties.outcome
          var key = 'outcome' + outcome.charAt(0).toUpperCase() + outcome.slice(1)
          text.textContent = feature.properties.place + ' · ' + (element.dataset[key] || outcome)
          var box = document.createElement('div')
          box.appendChild(link)
          box.appendChild(text)
          marker.bindPopup(box)
        }
      }).addTo(map)
      if (collection.features.length > 0) map.fitBounds(layer.getBounds(), { maxZoom: 10, padding: [20, 20] })
    })
    .catch(function () { element.hidden = true })
})()
