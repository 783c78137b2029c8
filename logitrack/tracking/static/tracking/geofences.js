// Geofence maps (logitrack/tracking/views/geofences.py): the tenant's geofences drawn on a
// Leaflet map, and on the drawing page Leaflet.draw's polygon and circle tools filling the
// form's hidden fields: geometry (GeoJSON, [longitude, latitude]) and radius (metres). Tiles
// come from the configured URL; when they cannot load the map and the tools still work.
(function () {
  "use strict";

  function existing() {
    var node = document.getElementById("geofences-existing");
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function drawExisting(map, collection) {
    var bounds = null;
    (collection && collection.features || []).forEach(function (feature) {
      var layer;
      var props = feature.properties || {};
      if (feature.geometry.type === "Point") {
        var c = feature.geometry.coordinates;
        layer = L.circle([c[1], c[0]], { radius: props.radius, color: "#1f6f8b", weight: 2 });
      } else {
        layer = L.geoJSON(feature.geometry, { style: { color: "#1f6f8b", weight: 2 } });
      }
      // A text node: Leaflet puts a string tooltip in with innerHTML (a name is not markup).
      layer.bindTooltip(document.createTextNode(props.name || ""));
      layer.addTo(map);
      var b = layer.getBounds();
      bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
    });
    return bounds;
  }

  function setUp(element) {
    var map = L.map(element, { zoomControl: true }).setView([10.78, 106.7], 12);
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, {
        maxZoom: 19,
        attribution: element.dataset.tileAttribution || ""
      }).addTo(map);
    }
    var bounds = drawExisting(map, existing());
    if (bounds && bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 16 }); }
    if (element.dataset.mode !== "draw") { return; }

    var form = document.querySelector("[data-geofence-form]");
    var geometry = form.querySelector("input[name=geometry]");
    var radius = form.querySelector("input[name=radius]");
    var status = document.querySelector("[data-drawn-shape]");
    var words = document.querySelector("[data-drawn-messages]").dataset;
    var drawn = new L.FeatureGroup();
    map.addLayer(drawn);
    map.addControl(new L.Control.Draw({
      position: "topleft",
      draw: {
        polygon: { allowIntersection: false, showArea: false },
        circle: { showRadius: true },
        polyline: false, rectangle: false, marker: false, circlemarker: false
      },
      edit: { featureGroup: drawn, remove: true }
    }));

    function record(layer) {
      if (!layer) {
        geometry.value = "";
        radius.value = "";
        status.textContent = words.none;
        return;
      }
      if (layer instanceof L.Circle) {
        var centre = layer.getLatLng();
        geometry.value = JSON.stringify({ type: "Point", coordinates: [centre.lng, centre.lat] });
        radius.value = String(layer.getRadius());
        status.textContent = words.circle;
      } else {
        geometry.value = JSON.stringify(layer.toGeoJSON().geometry);
        radius.value = "";
        status.textContent = words.polygon;
      }
    }

    map.on(L.Draw.Event.CREATED, function (event) {
      drawn.clearLayers();
      drawn.addLayer(event.layer);
      record(event.layer);
    });
    map.on(L.Draw.Event.EDITED, function () { record(drawn.getLayers()[0]); });
    map.on(L.Draw.Event.DELETED, function () { record(drawn.getLayers()[0]); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll("[data-geofence-map]").forEach(setUp);
  });
})();
