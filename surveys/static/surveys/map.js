/* Map questions: the municipality's areas drawn from their own GeoJSON outlines with
 * Leaflet (surveys/static/surveys/vendor/leaflet), tiles only when a tile server is set.
 * Clicking an area chooses it in the list (an area question) or puts the point there and
 * fills the coordinates (a point question). The list and the coordinates field stay: they
 * are the keyboard's and the no-JavaScript way, and the server checks whatever is sent. */
(function () {
  "use strict";

  function style(chosen) {
    return chosen
      ? { color: "#0b4f9c", weight: 3, fillColor: "#0b4f9c", fillOpacity: 0.35 }
      : { color: "#3d3d3d", weight: 2, fillColor: "#8fb3de", fillOpacity: 0.15 };
  }

  function init(box) {
    if (typeof L === "undefined") return;
    var name = box.getAttribute("data-question");
    var kind = box.getAttribute("data-kind");
    var dataNode = document.getElementById(name + "-areas");
    var select = document.getElementById(name);
    var pointInput = document.getElementById(name + "-point");
    if (!dataNode || !select) return;
    var areas = JSON.parse(dataNode.textContent);
    box.hidden = false;
    var note = document.getElementById(name + "-map-note");
    if (note) note.hidden = false;
    var map = L.map(box, {
      keyboard: false, // the list below is the keyboard's way; the map holds no focus
      zoomControl: false,
      attributionControl: false,
      scrollWheelZoom: false,
    });
    var tiles = box.getAttribute("data-tiles");
    if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
    var group = L.featureGroup().addTo(map);
    var layers = {};
    var marker = null;

    function highlight() {
      Object.keys(layers).forEach(function (key) {
        layers[key].setStyle(style(key === select.value));
      });
    }

    function place(latlng) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.circleMarker(latlng, { radius: 7, color: "#8a1c1c", weight: 3, fillOpacity: 0.9 }).addTo(map);
    }

    areas.forEach(function (area) {
      var layer = L.geoJSON(area.outline, { style: style(false) });
      layer.on("click", function (event) {
        select.value = area.key;
        if (kind === "point" && pointInput) {
          pointInput.value = event.latlng.lat.toFixed(6) + ", " + event.latlng.lng.toFixed(6);
          place(event.latlng);
        }
        select.dispatchEvent(new Event("change", { bubbles: true }));
      });
      layer.addTo(group);
      layers[area.key] = layer;
    });
    select.addEventListener("change", highlight);
    if (pointInput && pointInput.value) {
      var parts = pointInput.value.split(/[;,\s]+/).map(parseFloat);
      if (parts.length === 2 && !isNaN(parts[0]) && !isNaN(parts[1])) place(L.latLng(parts[0], parts[1]));
    }
    map.fitBounds(group.getBounds(), { padding: [8, 8] });
    highlight();
  }

  document.querySelectorAll(".survey-map").forEach(init);
})();
