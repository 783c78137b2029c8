// Usage analytics, first-party: included in a page only when the visitor accepted analytics
// (the server decides; docs/adr/0035). Reports this page's path, the previous page's path when
// it is on this site, and a screen class; never a query string, a fragment or anything typed.
(() => {
  const script = document.currentScript;
  if (!script) return;
  const endpoint = script.dataset.analyticsEndpoint;
  const token = script.dataset.csrf;
  if (!endpoint || !token) return;
  const width = window.innerWidth || document.documentElement.clientWidth || 0;
  const screen = width < 600 ? "s" : width < 1024 ? "m" : "l";
  let referrer = "";
  try {
    const previous = new URL(document.referrer);
    if (previous.origin === window.location.origin) referrer = previous.pathname;
  } catch (_error) {
    referrer = "";
  }
  const body = new URLSearchParams({ path: window.location.pathname, referrer, screen });
  fetch(endpoint, {
    method: "POST",
    body,
    credentials: "same-origin",
    keepalive: true,
    headers: { "X-CSRFToken": token },
  }).catch(() => {});
})();
