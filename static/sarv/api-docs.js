/* Start Swagger UI on the API browser page. No inline script: the Content-Security-Policy forbids it. */
(function () {
  "use strict";

  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) {
    return;
  }
  var csrfToken = root.getAttribute("data-csrf-token");

  // "Try it out" sends the session cookie; Django wants the CSRF token on every unsafe same-origin request.
  function addCsrfToken(request) {
    var method = (request.method || "GET").toUpperCase();
    var sameOrigin = new URL(request.url, document.baseURI).origin === window.location.origin;
    if (sameOrigin && method !== "GET" && method !== "HEAD" && method !== "OPTIONS" && csrfToken) {
      request.headers["X-CSRFToken"] = csrfToken;
    }
    return request;
  }

  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // Tags start folded: with every operation expanded, Swagger UI 5 stopped rendering a schema of
    // about 136 operations after the first dozen, without an error. A folded tag renders on click.
    docExpansion: "none",
    requestInterceptor: addCsrfToken,
  });
})();
