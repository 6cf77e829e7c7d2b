// The API docs page (/docs): Swagger UI from the app's own copy, never a CDN. A file of its own
// because the page's Content-Security-Policy allows no inline script.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null  // no badge from validator.swagger.io: the page makes no request elsewhere
  });
});
