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
    translateDrawing(document.querySelector("[data-draw-words]"));
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

  // Leaflet.draw's own words (buttons, tooltips) in the page's language, from the template.
  function translateDrawing(source) {
    if (!source) { return; }
    var w = source.dataset;
    var draw = L.drawLocal.draw;
    var edit = L.drawLocal.edit;
    draw.toolbar.buttons.polygon = w.polygon;
    draw.toolbar.buttons.circle = w.circle;
    draw.toolbar.actions.title = w.cancelTitle;
    draw.toolbar.actions.text = w.cancel;
    draw.toolbar.finish.title = w.finishTitle;
    draw.toolbar.finish.text = w.finish;
    draw.toolbar.undo.title = w.undoTitle;
    draw.toolbar.undo.text = w.undo;
    draw.handlers.polygon.tooltip.start = w.polygonStart;
    draw.handlers.polygon.tooltip.cont = w.polygonCont;
    draw.handlers.polygon.tooltip.end = w.polygonEnd;
    draw.handlers.polyline.error = w.crossing;
    draw.handlers.circle.tooltip.start = w.circleStart;
    draw.handlers.circle.radius = w.radius;
    draw.handlers.simpleshape.tooltip.end = w.shapeEnd;
    edit.toolbar.actions.save.title = w.saveTitle;
    edit.toolbar.actions.save.text = w.save;
    edit.toolbar.actions.cancel.title = w.cancelTitle;
    edit.toolbar.actions.cancel.text = w.cancel;
    edit.toolbar.actions.clearAll.title = w.clearTitle;
    edit.toolbar.actions.clearAll.text = w.clear;
    edit.toolbar.buttons.edit = w.edit;
    edit.toolbar.buttons.editDisabled = w.nothing;
    edit.toolbar.buttons.remove = w.remove;
    edit.toolbar.buttons.removeDisabled = w.nothing;
    edit.handlers.edit.tooltip.text = w.editText;
    edit.handlers.edit.tooltip.subtext = w.editSubtext;
    edit.handlers.remove.tooltip.text = w.removeText;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll("[data-geofence-map]").forEach(setUp);
  });
})();
