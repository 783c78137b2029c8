/* History playback of a device's day (tracking/templates/map/history.html): the plausible track
 * as a line, invalid fixes grey, a marker moved by a slider or by playing at 1-20x (1x = one
 * minute of the day per second), optionally followed; stops and totals from the trips API
 * (/api/v1/devices/{identifier}/trips) when it answers, else the page's own totals. */
(function () {
  "use strict";
  var root = document.querySelector("[data-history]");
  var M = window.LogitrackMap;
  if (!root || !window.L || !M) { return; }
  var cfg = M.config("history-config");
  var labels = cfg.labels;
  var canvas = root.querySelector("[data-map-canvas]");
  var renderer = L.canvas({ padding: 0.3 });
  var map = L.map(canvas, { preferCanvas: true }).setView([16.0, 106.5], 6);
  M.tiles(cfg, map);
  var clock = M.timeFormat(cfg, false);

  var all = cfg.points; // [ms, lat, lon, speed, course, plausible]
  var good = all.filter(function (p) { return p[5] === 1; });
  var invalid = all.filter(function (p) { return p[5] !== 1; });
  root.dataset.points = String(good.length);
  if (!good.length) { return; }

  var line = L.polyline(good.map(function (p) { return [p[1], p[2]]; }), { color: "#1f5fbf", weight: 4, opacity: 0.85, renderer: renderer }).addTo(map);
  var invalidLayer = L.layerGroup(invalid.map(function (p) {
    return L.circleMarker([p[1], p[2]], { radius: 4, color: "#8a94a3", weight: 1, fillColor: "#8a94a3", fillOpacity: 0.6, dashArray: "2 2", renderer: renderer })
      .bindTooltip(labels.invalid_fix + " · " + clock.format(new Date(p[0])));
  })).addTo(map);
  map.fitBounds(line.getBounds(), { padding: [30, 30], maxZoom: 16 });
  var marker = L.circleMarker([good[0][1], good[0][2]], { radius: 9, color: "#ffffff", weight: 3, fillColor: "#1a7f37", fillOpacity: 1, renderer: renderer }).addTo(map);

  window.logitrackHistory = { map: map, line: line, marker: marker, invalid: invalidLayer };
  var slider = root.querySelector("[data-slider]");
  var output = root.querySelector("[data-clock]");
  var play = root.querySelector("[data-play]");
  var speed = root.querySelector("[data-speed]");
  var follow = root.querySelector("[data-follow]");
  var showInvalid = root.querySelector("[data-show-invalid]");
  slider.max = String(good.length - 1);

  var index = 0;
  var playhead = good[0][0];
  var timer = null;
  var last = 0;

  function show(i) {
    index = i;
    var p = good[i];
    marker.setLatLng([p[1], p[2]]);
    slider.value = String(i);
    output.textContent = clock.format(new Date(p[0])) + (p[3] !== null ? " · " + p[3] + " " + labels.kmh : "");
    root.dataset.index = String(i);
    root.dataset.marker = p[1].toFixed(6) + "," + p[2].toFixed(6);
    if (follow.checked && !map.getBounds().pad(-0.1).contains(marker.getLatLng())) {
      map.panTo(marker.getLatLng(), { animate: false });
    }
  }

  function stop() {
    if (timer !== null) { window.cancelAnimationFrame(timer); }
    timer = null;
    play.textContent = labels.play;
    play.setAttribute("aria-pressed", "false");
  }

  function step(now) {
    var elapsed = last ? now - last : 0;
    last = now;
    // 1x: one minute of the day per second of watching.
    playhead += elapsed * 60 * Number(speed.value);
    var i = index;
    while (i < good.length - 1 && good[i + 1][0] <= playhead) { i += 1; }
    if (i !== index) { show(i); }
    if (index >= good.length - 1) { stop(); return; }
    timer = window.requestAnimationFrame(step);
  }

  play.addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    if (index >= good.length - 1) { show(0); }
    playhead = good[index][0];
    last = 0;
    play.textContent = labels.pause;
    play.setAttribute("aria-pressed", "true");
    timer = window.requestAnimationFrame(step);
  });
  slider.addEventListener("input", function () {
    show(Number(slider.value));
    playhead = good[index][0];
  });
  showInvalid.addEventListener("change", function () {
    if (showInvalid.checked) { invalidLayer.addTo(map); } else { map.removeLayer(invalidLayer); }
  });
  show(0);

  // --- stops and totals from the trips API ---------------------------------------------------
  var note = root.querySelector("[data-trips-note]");
  var url = cfg.trips_url + "?start=" + encodeURIComponent(cfg.start) + "&end=" + encodeURIComponent(cfg.end);
  fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(function (body) {
      if (!body || !Array.isArray(body.stops) || !body.totals) { throw new Error("shape"); }
      body.stops.forEach(function (stopItem, n) {
        var icon = L.divIcon({ className: "stop-icon", html: "", iconSize: [22, 22] });
        var stopMarker = L.marker([stopItem.latitude, stopItem.longitude], { icon: icon, keyboard: true, title: labels.stop_for + " " + M.duration(cfg, stopItem.duration_s) });
        stopMarker.on("add", function () { stopMarker.getElement().textContent = String(n + 1); });
        stopMarker.bindTooltip(clock.format(new Date(stopItem.start_time)) + "–" + clock.format(new Date(stopItem.end_time)) + " · " + labels.stop_for + " " + M.duration(cfg, stopItem.duration_s));
        stopMarker.addTo(map);
      });
      var totals = body.totals;
      root.querySelector('[data-total="distance"]').textContent = (totals.distance_m / 1000).toFixed(1) + " " + labels.km;
      root.querySelector('[data-total="moving"]').textContent = M.duration(cfg, totals.moving_s);
      root.querySelector('[data-total="max-speed"]').textContent = totals.max_speed_kmh !== null ? totals.max_speed_kmh.toFixed(1) + " " + labels.kmh : "—";
      root.querySelector('[data-total="stops"]').textContent = String(body.stops.length);
      root.dataset.trips = "loaded";
    })
    .catch(function () {
      note.textContent = labels.no_stops;
      root.dataset.trips = "unavailable";
    });
})();
