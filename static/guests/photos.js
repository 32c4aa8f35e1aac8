/* Photo uploads: ask the server for an upload slot (a presigned POST to the bucket, or a
   local URL), send the file there, then tell the server it has arrived. */
(function () {
  "use strict";
  var form = document.getElementById("photo-form");
  if (!form) return;
  var input = document.getElementById("photo-files");
  var list = document.getElementById("photo-status");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;

  function say(name, text) {
    var li = document.createElement("li");
    li.textContent = name + ": " + text;
    list.appendChild(li);
    return li;
  }

  function post(url, body, headers) {
    return fetch(url, { method: "POST", body: body, headers: headers || {}, credentials: "same-origin" });
  }

  async function send(file) {
    var line = say(file.name, "uploading…");
    try {
      var res = await post(form.dataset.authorize, JSON.stringify({ content_type: file.type, size: file.size }),
        { "Content-Type": "application/json", "X-CSRFToken": csrf });
      var slot = await res.json();
      if (!res.ok) { line.textContent = file.name + ": " + slot.detail; return; }
      var data = new FormData();
      Object.keys(slot.fields).forEach(function (k) { data.append(k, slot.fields[k]); });
      if (!slot.complete_url) data.append("Content-Type", file.type);
      data.append("file", file);
      var sameSite = slot.url.charAt(0) === "/";
      var up = await fetch(slot.url, { method: "POST", body: data,
        headers: sameSite ? { "X-CSRFToken": csrf } : {}, credentials: sameSite ? "same-origin" : "omit" });
      if (!up.ok) {
        var why = sameSite ? (await up.json()).detail : "the upload was refused";
        line.textContent = file.name + ": " + why; return;
      }
      if (slot.complete_url) {
        var done = await post(slot.complete_url, "", { "X-CSRFToken": csrf });
        if (!done.ok) { line.textContent = file.name + ": " + (await done.json()).detail; return; }
      }
      line.textContent = file.name + ": uploaded";
    } catch (e) {
      line.textContent = file.name + ": could not upload (" + e.message + ")";
    }
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    list.textContent = "";
    for (var i = 0; i < input.files.length; i++) await send(input.files[i]);
    input.value = "";
  });
})();
