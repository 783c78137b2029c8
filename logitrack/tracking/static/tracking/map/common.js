/* Shared helpers of the live map and the playback: configuration, formatting, DOM building.
 * Everything shown from data is set as text (textContent), never as HTML. */
(function () {
  "use strict";

  function config(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function timeFormat(cfg, withDate) {
    var options = { timeZone: cfg.time_zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false };
    if (withDate) {
      options.day = "2-digit";
      options.month = "2-digit";
      options.year = "numeric";
    }
    try {
      return new Intl.DateTimeFormat(cfg.language, options);
    } catch (e) {
      return new Intl.DateTimeFormat(undefined, options);
    }
  }

  function duration(cfg, seconds) {
    var minutes = Math.round(seconds / 60);
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    return cfg.labels.hours_minutes
      .replace("%(hours)d", String(hours))
      .replace("%(minutes)02d", (rest < 10 ? "0" : "") + rest);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function tiles(cfg, map) {
    // Without network the tiles fail; markers, tracks and areas are drawn all the same.
    var layer = L.tileLayer(cfg.tile_url, { attribution: cfg.attribution, maxZoom: 19 });
    layer.addTo(map);
    return layer;
  }

  window.LogitrackMap = { config: config, timeFormat: timeFormat, duration: duration, el: el, tiles: tiles };
})();
