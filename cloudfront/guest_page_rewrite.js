// CloudFront Function (viewer request) for a brand's guest-page distribution.
// Guest pages are objects `g/<slug>.html` in the brand's bucket; guests use the clean
// address `/g/<slug>`. Rewrite `/g/<slug>` and `/g/<slug>/` to `/g/<slug>.html`; leave
// every other path (photos under /g/photos/…, explicit .html, the brand's own site) alone.
function handler(event) {
  var request = event.request;
  var match = /^\/g\/([A-Za-z0-9_-]+)\/?$/.exec(request.uri);
  if (match) {
    request.uri = "/g/" + match[1] + ".html";
  }
  return request;
}

if (typeof module !== "undefined") {
  module.exports = { handler: handler };
}
