/* The live map (tracking/templates/map/live.html): every device of the company with its state,
 * clustered, refreshed every few seconds from /api/v1/map/devices?since=<cursor> (ADR 0056),
 * and the "who was near this place at this time" search. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-map]");
  var M = window.LogitrackMap;
  if (!root || !window.L || !M) { return; }
  var cfg = M.config("map-config");
  var labels = cfg.labels;
  var fullEvery = 75; // a full snapshot every ~5 minutes picks up renamed devices
  var status = root.querySelector("[data-map-status]");
  var canvas = root.querySelector("[data-map-canvas]");
  var clock = M.timeFormat(cfg, true);

  var map = L.map(canvas, { preferCanvas: true }).setView([16.0, 106.5], 6);
  M.tiles(cfg, map);
  var renderer = L.canvas({ padding: 0.3 });
  var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 60 });
  map.addLayer(cluster);

  var markers = new Map();
  var rows = new Map();
  // For the browser tests and the console: the map, its cluster group and markers by device id.
  window.logitrackLiveMap = { map: map, cluster: cluster, markers: markers };
  var cursor = null;
  var serverOffset = 0; // server clock minus browser clock, ms
  var onlineWindowMs = 600000; // replaced by the server's online_window_s
  var polls = 0;
  var fitted = false;

  function stateOf(row, nowMs) {
    var seen = row.seen ? Date.parse(row.seen) : NaN;
    var online = !isNaN(seen) && nowMs - seen <= onlineWindowMs;
    if (!online) { return "offline"; }
    return row.moving ? "moving" : "stopped";
  }

  var COLOURS = { moving: "#1a7f37", stopped: "#1f5fbf", offline: "#8a94a3" };

  function style(state) {
    return { radius: 7, weight: 2, color: "#ffffff", fillColor: COLOURS[state], fillOpacity: 0.95, renderer: renderer };
  }

  function popupFor(id) {
    var row = rows.get(id);
    var box = M.el("div", { "class": "map-popup", "data-popup": row.identifier });
    box.appendChild(M.el("h3", null, row.name));
    box.appendChild(M.el("p", { "class": "mono" }, row.identifier));
    var state = stateOf(row, Date.now() + serverOffset);
    var list = M.el("dl");
    function item(term, value) {
      if (value === null || value === undefined || value === "") { return; }
      list.appendChild(M.el("dt", null, term));
      list.appendChild(M.el("dd", null, value));
    }
    item(labels.online, state === "offline" ? labels.offline : (labels.online + " · " + labels[state]));
    item(labels.last_fix, row.fix_time ? clock.format(new Date(row.fix_time)) : null);
    item(labels.speed, row.speed_kmh !== null ? row.speed_kmh + " " + labels.kmh : null);
    item(labels.course, row.course !== null ? row.course + "°" : null);
    item(labels.battery, row.battery !== null ? row.battery + " %" : null);
    item(labels.vehicle, row.plate);
    item(labels.driver, row.driver);
    item(labels.place, row.place);
    box.appendChild(list);
    var links = M.el("p", { "class": "links" });
    if (row.vehicle_id) {
      links.appendChild(M.el("a", { href: cfg.shipments_url + "?vehicle=" + encodeURIComponent(row.vehicle_id), "data-shipments-link": "" }, labels.shipments));
    }
    links.appendChild(M.el("a", { href: cfg.history_url.replace(cfg.id_slot, String(row.id)), "data-history-link": "" }, labels.history));
    box.appendChild(links);
    return box;
  }

  function apply(payload) {
    var started = performance.now();
    var nowMs = Date.parse(payload.now);
    serverOffset = nowMs - Date.now();
    onlineWindowMs = payload.online_window_s * 1000;
    var fresh = [];
    var moved = [];
    var fields = payload.fields;
    payload.devices.forEach(function (values) {
      var row = {};
      for (var f = 0; f < fields.length; f += 1) { row[fields[f]] = values[f]; }
      rows.set(row.id, row);
      var state = stateOf(row, nowMs);
      var marker = markers.get(row.id);
      var where = [row.latitude, row.longitude];
      if (!marker) {
        marker = L.circleMarker(where, style(state));
        marker.deviceId = row.id;
        marker.state = state;
        marker.bindPopup(function () { return popupFor(row.id); });
        markers.set(row.id, marker);
        fresh.push(marker);
        return;
      }
      var old = marker.getLatLng();
      if (old.lat !== row.latitude || old.lng !== row.longitude) {
        moved.push([marker, where]);
      }
      if (marker.state !== state) {
        marker.state = state;
        marker.setStyle(style(state));
      }
    });
    if (moved.length) {
      // markercluster re-clusters a moved marker only when it leaves and joins again.
      var leaving = moved.map(function (pair) { return pair[0]; });
      cluster.removeLayers(leaving);
      moved.forEach(function (pair) { pair[0].setLatLng(pair[1]); });
      cluster.addLayers(leaving);
    }
    if (fresh.length) { cluster.addLayers(fresh); }
    // Time passes: a device that stopped reporting goes offline without changing.
    markers.forEach(function (marker, id) {
      var state = stateOf(rows.get(id), nowMs);
      if (marker.state !== state) {
        marker.state = state;
        marker.setStyle(style(state));
      }
    });
    if (!fitted && markers.size) {
      fitted = true;
      var bounds = cluster.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 }); }
    }
    var counts = { moving: 0, stopped: 0, offline: 0 };
    markers.forEach(function (marker) { counts[marker.state] += 1; });
    Object.keys(counts).forEach(function (key) {
      var node = root.querySelector('[data-count="' + key + '"]');
      if (node) { node.textContent = String(counts[key]); }
    });
    if (payload.full && payload.without_position !== undefined) {
      root.querySelector('[data-count="without"]').textContent = String(payload.without_position);
    }
    cursor = payload.cursor;
    root.dataset.markers = String(cluster.getLayers().length);
    root.dataset.updates = String(Number(root.dataset.updates || "0") + 1);
    root.dataset.drawMs = String(Math.round(performance.now() - started));
    status.textContent = labels.updated + " " + clock.format(new Date(nowMs));
  }

  function poll() {
    var full = cursor === null || polls % fullEvery === 0;
    polls += 1;
    var url = cfg.devices_url + (full ? "" : "?since=" + encodeURIComponent(cursor));
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(apply)
      .catch(function () { status.textContent = labels.update_failed; })
      .then(function () { window.setTimeout(poll, cfg.poll_ms); });
  }
  poll();

  // --- the company's geofences, drawn with or without tiles --------------------------------
  var fences = L.featureGroup().addTo(map);
  var FENCE_STYLE = { color: "#8250df", weight: 2, fillOpacity: 0.08 };
  fetch(cfg.geofences_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(function (collection) {
      (collection.features || []).forEach(function (feature) {
        var properties = feature.properties || {};
        var layer;
        if (feature.geometry.type === "Point") {
          var centre = feature.geometry.coordinates;
          layer = L.circle([centre[1], centre[0]], L.extend({ radius: properties.radius, renderer: renderer }, FENCE_STYLE));
        } else {
          layer = L.geoJSON(feature, { style: FENCE_STYLE, renderer: renderer });
        }
        var name = document.createElement("span");
        name.textContent = properties.name || ""; // a text node: names are never markup
        layer.bindTooltip(name);
        fences.addLayer(layer);
      });
      root.dataset.geofences = String(fences.getLayers().length);
    })
    .catch(function () { root.dataset.geofences = "failed"; });

  // --- who was near this place at this time ---------------------------------------------------
  var near = document.querySelector("[data-near]");
  if (!near) { return; }
  var form = near.querySelector("[data-near-form]");
  var message = near.querySelector("[data-near-message]");
  var table = near.querySelector("[data-near-results]");
  var circle = null;

  function drawCircle() {
    var lat = parseFloat(form.elements.latitude.value);
    var lon = parseFloat(form.elements.longitude.value);
    var radius = parseFloat(form.elements.radius_m.value);
    if (isNaN(lat) || isNaN(lon) || isNaN(radius)) { return; }
    if (circle) { map.removeLayer(circle); }
    circle = L.circle([lat, lon], { radius: radius, color: "#b42318", weight: 2, fillOpacity: 0.08, renderer: renderer }).addTo(map);
  }

  map.on("click", function (event) {
    form.elements.latitude.value = event.latlng.lat.toFixed(6);
    form.elements.longitude.value = event.latlng.lng.toFixed(6);
    drawCircle();
  });
  form.elements.radius_m.addEventListener("change", drawCircle);
  message.textContent = labels.near_pick;

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    drawCircle();
    var params = new URLSearchParams();
    params.set("latitude", form.elements.latitude.value);
    params.set("longitude", form.elements.longitude.value);
    params.set("radius_m", form.elements.radius_m.value);
    // The inputs are wall-clock times of Logitrack's zone; the API takes RFC 3339 with offset.
    params.set("start", form.elements.start.value + ":00" + cfg.utc_offset);
    params.set("end", form.elements.end.value + ":00" + cfg.utc_offset);
    message.textContent = "…";
    fetch(cfg.near_url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        var body = table.querySelector("tbody");
        body.textContent = "";
        if (!answer.ok) {
          table.hidden = true;
          message.textContent = (answer.body.error && answer.body.error.message) || labels.near_error;
          return;
        }
        var found = answer.body.devices;
        table.hidden = found.length === 0;
        message.textContent = found.length ? "" : labels.near_none;
        found.forEach(function (item) {
          var tr = M.el("tr", { "data-near-device": item.identifier });
          tr.appendChild(M.el("td", null, item.name));
          tr.appendChild(M.el("td", { "class": "mono" }, item.identifier));
          tr.appendChild(M.el("td", null, clock.format(new Date(item.first_fix_time))));
          tr.appendChild(M.el("td", null, clock.format(new Date(item.last_fix_time))));
          tr.appendChild(M.el("td", null, String(Math.round(item.closest_m))));
          body.appendChild(tr);
        });
      })
      .catch(function () { message.textContent = labels.near_error; });
  });
})();
