// Mounts the vendored GraphiQL (window.GraphiQL, React, ReactDOM) on the IDE page.
// A same-origin file rather than an inline script: the page's CSP allows no inline script.
"use strict";
(function () {
  var ENDPOINT = "/v3/query";
  var KEY = "nevr-events.token";
  var DEFAULT_QUERY = "# Runs on a fresh server: no data needed.\n{\n  health {\n    status\n    database\n    timestamp\n  }\n}\n";
  var field = document.getElementById("token");

  // ?token= in the address is kept like a typed token, then dropped from the
  // address bar (and history) so it is not left in bookmarks or shared links.
  var url = new URL(location.href);
  if (url.searchParams.has("token")) {
    localStorage.setItem(KEY, url.searchParams.get("token"));
    url.searchParams.delete("token");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }
  field.value = localStorage.getItem(KEY) || "";

  // Any HTTP answer is shown as its JSON body: a 401's {"error", "status"} then
  // appears in the result pane instead of a generic "failed to fetch".
  // Headers typed in GraphiQL's Headers editor are sent too (they may override the token).
  function fetcher(params, options) {
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    var token = localStorage.getItem(KEY);
    if (token) headers.Authorization = "Bearer " + token;
    Object.assign(headers, (options && options.headers) || {});
    return fetch(ENDPOINT, { method: "POST", headers: headers, body: JSON.stringify(params) })
      .then(function (response) { return response.json(); });
  }

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  var generation = 0;
  function render() {
    // A new fetcher identity makes GraphiQL introspect again with the new token.
    generation += 1;
    var current = function (params, options) { return fetcher(params, options); };
    current.generation = generation;
    root.render(React.createElement(GraphiQL, { fetcher: current, defaultQuery: DEFAULT_QUERY }));
  }

  document.getElementById("save-token").addEventListener("click", function () {
    var token = field.value.trim();
    if (token) localStorage.setItem(KEY, token);
    else localStorage.removeItem(KEY);
    render();
  });
  document.getElementById("clear-token").addEventListener("click", function () {
    localStorage.removeItem(KEY);
    field.value = "";
    render();
  });
  render();
})();
