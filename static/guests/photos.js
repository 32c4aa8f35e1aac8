/* Photo uploads, several at once. Each chosen photo gets a line with a preview, its size
   and a progress bar. Then, for each one: ask the server for an upload slot (a presigned
   POST to the brand's bucket, or a local URL), send the file there with
   XMLHttpRequest (fetch cannot report upload progress), and tell the server it arrived.
   Two uploads run at a time, so a phone on a weak connection keeps moving. */
(function () {
  "use strict";
  var form = document.getElementById("photo-form");
  if (!form) return;
  var input = document.getElementById("photo-files");
  var list = document.getElementById("photo-status");
  var summary = document.getElementById("photo-summary");
  var button = document.getElementById("photo-submit");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var accepted = (input.getAttribute("accept") || "").split(",");
  var maxBytes = parseInt(form.dataset.maxBytes, 10);
  var PARALLEL = 2;
  var queue = [];

  function size(bytes) {
    return bytes < 1024 * 1024 ? Math.max(1, Math.round(bytes / 1024)) + " KB" : (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  function line(file) {
    var li = document.createElement("li");
    li.className = "upload";
    var thumb = document.createElement("img");
    thumb.alt = "";
    thumb.className = "upload-thumb";
    var url = URL.createObjectURL(file);
    thumb.onload = function () { URL.revokeObjectURL(url); };
    thumb.onerror = function () { thumb.replaceWith(placeholder()); URL.revokeObjectURL(url); };  // e.g. HEIC
    thumb.src = url;
    var body = document.createElement("div");
    var name = document.createElement("div");
    name.className = "upload-name";
    name.textContent = file.name + " · " + size(file.size);
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    var status = document.createElement("div");
    status.className = "upload-status muted";
    status.textContent = "Ready";
    body.append(name, bar, status);
    li.append(thumb, body);
    list.appendChild(li);
    return { file: file, li: li, bar: bar, status: status };
  }

  function placeholder() {
    var box = document.createElement("div");
    box.className = "upload-thumb upload-thumb-none";
    box.textContent = "No preview";
    return box;
  }

  function finish(item, ok, text) {
    item.status.textContent = text;
    item.li.classList.add(ok ? "upload-ok" : "upload-failed");
    if (ok) item.bar.value = 100;
    return ok;
  }

  function send(url, body, headers, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      Object.keys(headers).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
      xhr.withCredentials = url.charAt(0) === "/";
      if (onProgress) {
        xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(e.loaded / e.total); };
      }
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = function () { reject(new Error("the connection dropped")); };
      xhr.send(body);
    });
  }

  function detail(xhr, fallback) {
    try { return JSON.parse(xhr.responseText).detail || fallback; } catch (e) { return fallback; }
  }

  async function upload(item) {
    var file = item.file;
    if (accepted.indexOf(file.type) === -1) return finish(item, false, "Not a photo we can take (JPEG, PNG, HEIC or WebP).");
    if (file.size > maxBytes) return finish(item, false, "Too large (at most " + form.dataset.maxMb + " MB).");
    item.status.textContent = "Uploading…";
    try {
      var res = await send(form.dataset.authorize, JSON.stringify({ content_type: file.type, size: file.size }),
        { "Content-Type": "application/json", "X-CSRFToken": csrf });
      if (res.status !== 201) return finish(item, false, detail(res, "The upload was refused."));
      var slot = JSON.parse(res.responseText);
      var data = new FormData();
      Object.keys(slot.fields).forEach(function (k) { data.append(k, slot.fields[k]); });
      if (!slot.complete_url) data.append("Content-Type", file.type);
      data.append("file", file);
      var sameSite = slot.url.charAt(0) === "/";
      var up = await send(slot.url, data, sameSite ? { "X-CSRFToken": csrf } : {}, function (share) {
        item.bar.value = Math.round(share * 95);  // the last bit is the server's check
      });
      if (up.status < 200 || up.status >= 300) {
        return finish(item, false, sameSite ? detail(up, "The upload was refused.") : "The upload was refused.");
      }
      if (slot.complete_url) {
        var done = await send(slot.complete_url, "", { "X-CSRFToken": csrf });
        if (done.status !== 200) return finish(item, false, detail(done, "The photo could not be checked."));
      }
      return finish(item, true, "Uploaded");
    } catch (e) {
      return finish(item, false, "Could not upload: " + e.message + ". Try again.");
    }
  }

  input.addEventListener("change", function () {
    list.textContent = "";
    summary.textContent = "";
    queue = Array.prototype.map.call(input.files, line);
    button.disabled = queue.length === 0;
    button.textContent = queue.length > 1 ? "Upload " + queue.length + " photos" : "Upload";
  });

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (!queue.length) return;
    var items = queue;
    queue = [];
    button.disabled = true;
    input.disabled = true;
    var results = [], next = 0;
    async function worker() {
      while (next < items.length) { var item = items[next++]; results.push(await upload(item)); }
    }
    var workers = [];
    for (var i = 0; i < Math.min(PARALLEL, items.length); i++) workers.push(worker());
    await Promise.all(workers);
    var ok = results.filter(Boolean).length;
    summary.textContent = ok + " of " + items.length + " photo" + (items.length === 1 ? "" : "s") + " uploaded." +
      (ok ? " They appear on the charter page in a minute." : "");
    input.value = "";
    input.disabled = false;
    button.textContent = "Upload";
  });
})();
